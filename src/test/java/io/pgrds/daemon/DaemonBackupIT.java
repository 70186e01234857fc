package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.ClusterId;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import io.pgrds.transport.ShellOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backup.schedule} on a real node: a cluster made by {@code pgrds apply} (stanza created), then the daemon
 * takes the scheduled backup from its primary with pgBackRest, and {@code pgrds backups} and {@code /status} show it.
 */
class DaemonBackupIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(1);

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
    void theDaemonTakesTheScheduledBackupFromThePrimary() throws Exception {
        TestNode n = hosts.node(0);
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit(CLUSTER, "ssh: {user: root, port: " + n.sshPort() + ", identityFile: " + hosts.clientKey()
                + ", knownHostsFile: " + hosts.knownHosts() + ", become: runuser}\n"
                + "nodes:\n  - {host: " + n.address() + ", name: " + n.name() + ", postgres: {dataDirectory: "
                + n.dataDirectory() + ", port: " + n.pgPort() + "}}\n"
                + "primary: " + n.name() + "\n"
                + "repositories: {main: {type: posix, path: " + repository + "}}\n"
                // every 5 seconds: the first one comes soon after the daemon starts
                + "backup: {repository: main, schedule: \"0/5 * * * * ?\", retention: {full: 2}}\n"
                + "reconcile: {policy: observe}\n");
        Cli.Run applied = Cli.run("--repo", fleet.dir().toString(), "apply", "--auto-approve");
        assertEquals(0, applied.exit(), applied + "\n" + hosts.diagnostics());

        Instant started = Instant.now();
        daemon = new Daemon(new Daemon.Config(fleet.dir().toString(), null, Duration.ofMinutes(10),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty(), Optional.empty(), tmp.resolve("cache"),
                ShellOptions.defaults(), 4, Duration.ofSeconds(30), Duration.ofSeconds(30), 2,
                "pgrds-it-" + System.nanoTime(), "daemon-it")).start();
        ClusterId id = ClusterId.parse(CLUSTER);
        LastBackup backup = null;
        long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < until && backup == null) {
            backup = daemon.status(id).flatMap(ClusterStatus::lastBackup).orElse(null);
            Thread.sleep(200);
        }
        assertTrue(backup != null, "no scheduled backup within 120 s");
        assertTrue(backup.ok(), backup.toString());
        assertEquals(Optional.of(n.name()), backup.node());
        assertTrue(!backup.at().isBefore(started), backup.toString());
        String label = backup.label().orElseThrow();
        assertTrue(label.endsWith("F"), label); // a full backup, as pgrds backup takes by default

        Cli.Run listed = Cli.run("--repo", fleet.dir().toString(), "backups", CLUSTER);
        assertEquals(0, listed.exit(), listed.toString());
        assertTrue(listed.toString().contains(label), listed.toString());
        HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + daemon.httpAddress().orElseThrow().getPort() + "/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(status.body().contains("\"result\" : \"ok\""), status.body());
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + daemon.httpAddress().orElseThrow().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(metrics.body().contains("pgrds_cluster_last_backup_result{cluster=\"" + CLUSTER
                + "\",result=\"ok\"} 1"), metrics.body());
    }
}
