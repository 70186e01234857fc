package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.ClusterId;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.FleetRepo;
import io.pgrds.transport.ShellOptions;
import java.net.InetSocketAddress;
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
}
