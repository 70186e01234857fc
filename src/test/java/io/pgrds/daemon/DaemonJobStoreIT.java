package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.ClusterId;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.FleetRepo;
import io.pgrds.transport.ShellOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons in one JVM share Quartz's clustered JDBC job store on a harness PostgreSQL: the tables are created
 * on first start, and one cluster is never reconciled by both at once, even with pushes arriving at both (a
 * run is timed from start to end of the reconcile, inside the run lock).
 */
class DaemonJobStoreIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(3);

    @TempDir
    Path tmp;

    private final List<Daemon> daemons = new ArrayList<>();

    @org.junit.jupiter.api.BeforeAll
    static void logRuns() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.pgrds.daemon"))
                .setLevel(ch.qos.logback.classic.Level.INFO);
    }

    @BeforeEach
    void freshNodes() {
        hosts.nodes().forEach(hosts::reset);
    }

    @AfterEach
    void stopEverything() {
        daemons.forEach(Daemon::close);
        hosts.nodes().forEach(hosts::reset);
    }

    private record Span(String daemon, long start, long end) {
    }

    /** Records when each cluster's run starts and ends on a daemon. */
    private static final class Recorder implements Daemon.RunObserver {
        private final String daemon;
        private final Map<String, List<Span>> spans;
        private final Map<ClusterId, Long> started = new ConcurrentHashMap<>();

        Recorder(String daemon, Map<String, List<Span>> spans) {
            this.daemon = daemon;
            this.spans = spans;
        }

        @Override
        public void started(ClusterId id) {
            started.put(id, System.nanoTime());
        }

        @Override
        public void finished(ClusterId id) {
            long start = started.remove(id);
            spans.computeIfAbsent(id.toString(), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(new Span(daemon, start, System.nanoTime()));
        }
    }

    private String cluster(List<TestNode> nodes) {
        StringBuilder y = new StringBuilder();
        y.append("ssh: {user: root, port: ").append(nodes.get(0).sshPort()).append(", identityFile: ")
                .append(hosts.clientKey()).append(", knownHostsFile: ").append(hosts.knownHosts())
                .append(", become: runuser}\n");
        y.append("nodes:\n");
        for (TestNode n : nodes) {
            y.append("  - {host: ").append(n.address()).append(", name: ").append(n.name())
                    .append(", postgres: {dataDirectory: ").append(n.dataDirectory()).append(", port: ")
                    .append(n.pgPort()).append("}}\n");
        }
        y.append("reconcile: {policy: observe}\n");
        return y.toString();
    }

    @Test
    void twoDaemonsOnOneJobStoreNeverRunTheSameClustersJobAtOnce() throws Exception {
        TestNode store = hosts.node(0);
        hosts.initPrimary(store);
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", cluster(List.of(hosts.node(1))));
        fleet.commit("orderdata/staging", cluster(List.of(hosts.node(2)))); // a server belongs to one cluster
        JobStores.Jdbc jdbc = new JobStores.Jdbc("jdbc:postgresql://" + store.address() + ":" + store.pgPort()
                + "/postgres?user=postgres", Optional.empty(), 5000);
        String name = "pgrds-it-" + System.nanoTime();
        Map<String, List<Span>> spans = new ConcurrentHashMap<>();
        for (String d : List.of("a", "b")) {
            Daemon daemon = new Daemon(new Daemon.Config(fleet.dir().toString(), null, Duration.ofSeconds(1),
                    new InetSocketAddress("127.0.0.1", 0), Optional.empty(), Optional.of(jdbc),
                    tmp.resolve("cache-" + d), ShellOptions.defaults(), 4, Duration.ofSeconds(30),
                    Duration.ofSeconds(30), 3, name, "daemon-" + d));
            daemon.observeRuns(new Recorder(d, spans));
            daemons.add(daemon);
            daemon.start();
        }
        assertEquals("t", hosts.psql(store, "select to_regclass('qrtz_job_details') is not null"),
                "the Quartz tables were created on first start");
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < until) {
            for (Daemon d : daemons) {
                d.triggerAll(); // pushes arriving at both daemons at once
            }
            Thread.sleep(700);
        }
        daemons.forEach(Daemon::close);

        assertEquals("2", hosts.psql(store, "select count(*) from qrtz_job_details where sched_name = '" + name
                + "' and job_group = 'clusters'"), "one job per cluster in the shared store");
        assertEquals(List.of("orderdata/integration", "orderdata/staging"), new ArrayList<>(new TreeMap<>(spans)
                .keySet()));
        Map<String, Long> perDaemon = new TreeMap<>();
        for (Map.Entry<String, List<Span>> e : spans.entrySet()) {
            List<Span> runs = new ArrayList<>(e.getValue());
            runs.sort(Comparator.comparingLong(Span::start));
            assertTrue(runs.size() >= 3, e.getKey() + " ran " + runs.size() + " times");
            for (int i = 1; i < runs.size(); i++) {
                Span before = runs.get(i - 1);
                Span next = runs.get(i);
                assertTrue(before.end() <= next.start(), e.getKey() + ": a run on " + next.daemon()
                        + " started while one on " + before.daemon() + " was still running: " + runs);
            }
            runs.forEach(r -> perDaemon.merge(r.daemon(), 1L, Long::sum));
        }
        System.out.println("cluster runs per daemon: " + perDaemon);
    }

    private static String get(Daemon d, String path) throws Exception {
        InetSocketAddress a = d.httpAddress().orElseThrow();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                + a.getHostString() + ":" + a.getPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** The lines of the families rendered from the clusters' status (not this instance's JVM, build or runs). */
    private static List<String> statusFamilies(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("pgrds_cluster_") || l.startsWith("pgrds_node_")
                || l.startsWith("pgrds_replication_") || l.startsWith("pgrds_wal_") || l.startsWith("pgrds_up")
                || l.startsWith("pgrds_status_store_up")).toList();
    }

    @Test
    void everyDaemonOnOneJobStoreAnswersStatusTheSameFromTheSharedTable() throws Exception {
        TestNode store = hosts.node(0);
        hosts.initPrimary(store);
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", cluster(List.of(hosts.node(1))));
        fleet.commit("orderdata/staging", cluster(List.of(hosts.node(2))));
        JobStores.Jdbc jdbc = new JobStores.Jdbc("jdbc:postgresql://" + store.address() + ":" + store.pgPort()
                + "/postgres?user=postgres", Optional.empty(), 5000);
        String name = "pgrds-it-" + System.nanoTime();
        Map<String, List<Span>> spans = new ConcurrentHashMap<>();
        for (String d : List.of("a", "b")) {
            // an hour apart: each cluster runs once at the start, then the status stands still to be compared
            Daemon daemon = new Daemon(new Daemon.Config(fleet.dir().toString(), null, Duration.ofHours(1),
                    new InetSocketAddress("127.0.0.1", 0), Optional.empty(), Optional.of(jdbc),
                    tmp.resolve("cache-" + d), ShellOptions.defaults(), 4, Duration.ofSeconds(30),
                    Duration.ofSeconds(30), 3, name, "daemon-" + d));
            daemon.observeRuns(new Recorder("daemon-" + d, spans));
            daemons.add(daemon);
            daemon.start();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!(spans.getOrDefault("orderdata/integration", List.of()).size() >= 1
                && spans.getOrDefault("orderdata/staging", List.of()).size() >= 1)) {
            assertTrue(System.nanoTime() < deadline, "no run of both clusters: " + spans);
            Thread.sleep(200);
        }
        Thread.sleep(500); // the run's status is written right after it ends

        String a = get(daemons.get(0), "/status");
        String b = get(daemons.get(1), "/status");
        assertEquals(a, b, "both daemons answer /status the same");
        com.fasterxml.jackson.databind.JsonNode root = io.pgrds.util.Json.mapper().readTree(a);
        assertEquals("1", root.path("format_version").asText());
        assertEquals("job_store", root.path("source").asText());
        assertEquals(2, root.path("clusters").size(), a);
        for (com.fasterxml.jackson.databind.JsonNode c : root.path("clusters")) {
            String cluster = c.path("cluster").asText();
            List<Span> runs = spans.get(cluster);
            assertEquals(1, runs.size(), cluster + " ran once: " + runs);
            assertEquals(runs.get(0).daemon(), c.path("last_run_by").asText(), "the instance that ran " + cluster
                    + ": " + c);
            assertEquals("observed", c.path("last_result").asText(), c.toString());
            assertEquals("EMPTY", c.path("nodes").elements().next().asText(), c.toString());
            assertTrue(!c.path("last_run_at").isNull(), c.toString());
        }
        assertEquals(statusFamilies(get(daemons.get(0), "/metrics")), statusFamilies(get(daemons.get(1),
                "/metrics")), "and /metrics the same for the clusters");
        assertTrue(statusFamilies(get(daemons.get(0), "/metrics")).contains("pgrds_cluster_sync_status{cluster="
                + "\"orderdata/staging\",status=\"OutOfSync\"} 1.0"));
        // the rows themselves, next to Quartz's tables
        assertEquals(spans.get("orderdata/integration").get(0).daemon(), hosts.psql(store, "select updated_by from "
                + "pgrds_cluster_status where sched_name = '" + name + "' and cluster = 'orderdata/integration'"));

        // a daemon that starts later on the same store knows the runs it never made, before making any
        Daemon late = new Daemon(new Daemon.Config(fleet.dir().toString(), null, Duration.ofHours(1),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty(), Optional.of(jdbc), tmp.resolve("cache-c"),
                ShellOptions.defaults(), 4, Duration.ofSeconds(30), Duration.ofSeconds(30), 3, name, "daemon-c"));
        List<String> ranOnC = java.util.Collections.synchronizedList(new ArrayList<>());
        late.observeRuns(new Daemon.RunObserver() {
            @Override
            public void started(ClusterId id) {
                ranOnC.add(id.toString());
            }

            @Override
            public void finished(ClusterId id) {
            }
        });
        daemons.add(late);
        late.start();
        String c = get(late, "/status");
        assertEquals(List.of(), ranOnC, "no run is due for an hour");
        assertEquals(a, c, "a daemon started later answers the same");
    }
}
