package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import io.pgrds.testing.HarnessCluster;
import io.pgrds.transport.ShellOptions;
import io.pgrds.util.Json;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backup.schedule} on a real node: a cluster made by {@code pgrds apply} (stanza created), then the daemon
 * takes the scheduled backups from its primary with pgBackRest, the biggest type when two are due at once, and
 * {@code pgrds backups}, {@code /status} and {@code /metrics} show them.
 */
class DaemonBackupIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(2);

    private static final String CLUSTER = "orderdata/integration";

    @TempDir
    Path tmp;

    private Path repository;
    private Daemon daemon;

    @BeforeEach
    void freshNodes() {
        hosts.nodes().forEach(hosts::reset);
        for (TestNode n : hosts.nodes()) {
            hosts.tryRun("rm", "-rf", n.dataDirectory() + ".pgrds");
        }
        repository = hosts.root().resolve("repository");
        hosts.tryRun("rm", "-rf", repository.toString());
        hosts.run("install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0750", repository.toString());
    }

    @AfterEach
    void stopEverything() {
        if (daemon != null) {
            daemon.close();
        }
        hosts.nodes().forEach(hosts::reset);
    }

    @Test
    void theDaemonTakesTheBiggestScheduledTypeAndThenTheOthers() throws Exception {
        TestNode n = hosts.node(0);
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        String cluster = "ssh: {user: root, port: " + n.sshPort() + ", identityFile: " + hosts.clientKey()
                + ", knownHostsFile: " + hosts.knownHosts() + ", become: runuser}\n"
                + "nodes:\n  - {host: " + n.address() + ", name: " + n.name() + ", postgres: {dataDirectory: "
                + n.dataDirectory() + ", port: " + n.pgPort() + "}}\n"
                + "primary: " + n.name() + "\n"
                + "repositories: {main: {type: posix, path: " + repository + "}}\n"
                + "reconcile: {policy: observe}\n";
        // every 5 seconds, both: the first comes soon after the daemon starts, and the incr always gives way
        fleet.commit(CLUSTER, cluster + "backup: {repository: main, schedule: {full: \"0/5 * * * * ?\", "
                + "incr: \"0/5 * * * * ?\"}, retention: {full: 2}}\n");
        Cli.Run applied = Cli.run("--repo", fleet.dir().toString(), "apply", "--auto-approve");
        assertEquals(0, applied.exit(), applied + "\n" + hosts.diagnostics());

        Instant started = Instant.now();
        daemon = new Daemon(new Daemon.Config(fleet.dir().toString(), null, Duration.ofMinutes(10),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty(), Optional.empty(), tmp.resolve("cache"),
                ShellOptions.defaults(), 4, Duration.ofSeconds(30), Duration.ofSeconds(30), 2,
                "pgrds-it-" + System.nanoTime(), "daemon-it")).start();
        ClusterId id = ClusterId.parse(CLUSTER);
        LastBackup full = await("a full backup", () -> last(id, BackupType.FULL));
        assertTrue(full.ok(), full.toString());
        assertEquals(Optional.of(n.name()), full.node());
        assertTrue(!full.at().isBefore(started), full.toString());
        String fullLabel = full.label().orElseThrow();
        assertTrue(fullLabel.endsWith("F"), fullLabel);
        BackupRuns.Skipped gaveWay = await("an incr that gave way", () -> daemon.status(id)
                .map(s -> s.backups().get(BackupType.INCR)).flatMap(BackupRuns::lastSkipped));
        assertEquals(BackupRuns.Cause.BIGGER_TYPE, gaveWay.cause());
        assertTrue(gaveWay.reason().startsWith("the full backup scheduled for "), gaveWay.reason());
        assertEquals(Optional.empty(), last(id, BackupType.INCR), "no incr was taken beside a full");

        // without the full, the incr runs on top of it
        fleet.commit(CLUSTER, cluster + "backup: {repository: main, schedule: {incr: \"0/5 * * * * ?\"}, "
                + "retention: {full: 2}}\n");
        daemon.triggerAll();
        LastBackup incr = await("an incr backup", () -> last(id, BackupType.INCR));
        assertTrue(incr.ok(), incr.toString());
        String incrLabel = incr.label().orElseThrow();
        // on top of the newest full, which may be a later one than the first
        assertTrue(incrLabel.matches("\\d{8}-\\d{6}F_\\d{8}-\\d{6}I"), incrLabel);

        Cli.Run listed = Cli.run("--repo", fleet.dir().toString(), "backups", CLUSTER);
        assertEquals(0, listed.exit(), listed.toString());
        assertTrue(listed.toString().contains(incrLabel), listed.toString());
        String status = get("/status");
        assertTrue(status.contains("\"label\" : \"" + incrLabel + "\""), status);
        assertTrue(status.contains("\"bigger_type\" : "), status);
        String metrics = get("/metrics");
        assertTrue(metrics.contains("pgrds_cluster_last_backup_result{cluster=\"" + CLUSTER
                + "\",result=\"ok\",type=\"full\"} 1.0"), metrics);
        assertTrue(metrics.contains("pgrds_cluster_last_backup_result{cluster=\"" + CLUSTER
                + "\",result=\"ok\",type=\"incr\"} 1.0"), metrics);
        assertTrue(metrics.contains("pgrds_backup_repository_up{cluster=\"" + CLUSTER + "\"} 1.0"), metrics);
        assertTrue(metrics.contains("pgrds_backup_last_completed_timestamp_seconds{cluster=\"" + CLUSTER
                + "\",type=\"incr\"} "), metrics);

        // the figures are the repository's, read after each backup: once the daemon has stopped (and so taken no
        // backup since its last reading) they are exactly what pgrds backups lists
        daemon.close();
        Figures.Repository read = daemon.status(id).orElseThrow().figures().repository().orElseThrow();
        JsonNode catalog = Json.mapper().readTree(Cli.run("--repo", fleet.dir().toString(), "backups", CLUSTER,
                "--json").out());
        java.util.SortedMap<String, Instant> newest = new java.util.TreeMap<>();
        for (JsonNode b : catalog.path("backups")) {
            newest.merge(b.path("type").asText(), Instant.parse(b.path("stop").asText()),
                    (x, y) -> x.isAfter(y) ? x : y);
        }
        assertEquals(newest, read.lastCompleted(), catalog.toPrettyString());
        assertEquals(Set.of("full", "incr"), newest.keySet());
        assertEquals(catalog.path("backups").size(), read.backups());
        assertEquals(Optional.of(Instant.parse(catalog.path("restorable").path("from").asText())),
                read.windowStart());
        assertEquals(Optional.empty(), read.error());
        assertTrue(!read.lastCompleted().get("incr").isBefore(incr.at().truncatedTo(java.time.temporal.ChronoUnit
                .SECONDS)), read + " " + incr);
        // and so they are in the exposition
        String exposed = Metrics.render(daemon.statuses(), false);
        assertTrue(exposed.contains("pgrds_backup_last_completed_timestamp_seconds{cluster=\"" + CLUSTER
                + "\",type=\"full\"} " + (double) newest.get("full").getEpochSecond() + "\n"), exposed);
        daemon = null;
    }

    @Test
    void afterAFailoverTheDaemonTakesAFullBackupAtOnce() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        java.util.function.Function<List<TestNode>, String> cluster = nodes -> HarnessCluster.yaml(hosts, nodes, "")
                + "repositories: {main: {type: posix, path: " + repository + "}}\n"
                // once a year: only the failover makes the daemon take one during this test
                + "backup: {repository: main, schedule: {full: \"0 0 3 1 1 ?\"}, retention: {full: 2}}\n"
                + "reconcile: {policy: full}\n";
        fleet.commit(CLUSTER, cluster.apply(List.of(a, b)) + "primary: " + a.name() + "\n");
        Cli.Run applied = Cli.run("--repo", fleet.dir().toString(), "apply", "--auto-approve");
        assertEquals(0, applied.exit(), applied + "\n" + hosts.diagnostics());

        daemon = new Daemon(new Daemon.Config(fleet.dir().toString(), null, Duration.ofMinutes(10),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty(), Optional.empty(), tmp.resolve("cache"),
                ShellOptions.defaults(), 4, Duration.ofSeconds(30), Duration.ofSeconds(30), 2,
                "pgrds-it-" + System.nanoTime(), "daemon-it")).start();
        ClusterId id = ClusterId.parse(CLUSTER);
        // the primary's server is lost; it leaves the file and the daemon promotes the standby
        hosts.reset(a);
        fleet.commit(CLUSTER, cluster.apply(List.of(b)));
        Instant failedOver = Instant.now();
        daemon.triggerAll();
        LastBackup full = await("a full backup after the failover", () -> last(id, BackupType.FULL));
        assertTrue(full.ok(), full.toString());
        assertEquals(Optional.of(b.name()), full.node(), "taken from the promoted standby");
        assertTrue(!full.at().isBefore(failedOver), full.toString());
        assertEquals("f", HarnessCluster.sql(hosts, b, "select pg_is_in_recovery()"));
        Cli.Run listed = Cli.run("--repo", fleet.dir().toString(), "backups", CLUSTER);
        assertTrue(listed.out().contains(full.label().orElseThrow()), listed.toString());
    }

    private Optional<LastBackup> last(ClusterId id, BackupType type) {
        return daemon.status(id).map(s -> s.backups().get(type)).flatMap(BackupRuns::last);
    }

    private static <T> T await(String what, java.util.function.Supplier<Optional<T>> probe) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < until) {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + what + " within 120 s");
    }

    private String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + daemon.httpAddress().orElseThrow().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
