package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.ClusterId;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.FleetRepo;
import io.pgrds.transport.ShellOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon dies in the middle of a run: {@code pgrds daemon} as a process (the jar) killed with SIGKILL while it
 * executes a cluster's job, with a second daemon in this JVM on the same clustered JDBC job store (a harness
 * PostgreSQL). The job stays blocked by the dead daemon's fired trigger until the survivor notices the missed
 * check-ins and recovers it; then the survivor runs that cluster. Quartz's bound, with the daemon's settings: the
 * dead instance is declared failed 7.5 s (Quartz's fixed grace) after its check-in was due (every 5 s), the
 * survivor notices at its own next check-in (up to 5 s later), and the recovered trigger, now past its fire time by
 * more than the misfire threshold, fires at the survivor's next misfire scan (up to 5 s later): at most 22.5 s
 * after the kill. Seen: 15 to 20 s. The test allows 40 s: the Quartz threads, the database and the test share two
 * cores with the rest of CI, and a late check-in of a few seconds there says nothing about pgrds.
 *
 * <p>The cluster whose run is cut has one node behind a TCP port that accepts connections and never answers (a
 * hung host), so its run lasts as long as the SSH connect timeout and the kill lands inside it.
 */
class DaemonFailoverIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(2);

    private static final String SLOW = "orderdata/slow";
    private static final String NORMAL = "orderdata/integration";

    @TempDir
    Path tmp;

    private Daemon survivor;
    private Process dead;

    @org.junit.jupiter.api.BeforeAll
    static void logRuns() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.pgrds.daemon"))
                .setLevel(ch.qos.logback.classic.Level.INFO);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.quartz.impl.jdbcjobstore"))
                .setLevel(ch.qos.logback.classic.Level.INFO);
    }

    /** Checked-in every 5 s + 7.5 s grace + up to 5 s until the survivor's check-in + 5 s misfire scan, rounded up. */
    private static final Duration TAKEOVER = Duration.ofSeconds(40);

    @BeforeEach
    void freshNodes() {
        hosts.nodes().forEach(hosts::reset);
    }

    @AfterEach
    void stopEverything() {
        if (dead != null) {
            dead.destroyForcibly();
        }
        if (survivor != null) {
            survivor.close();
        }
        hosts.nodes().forEach(hosts::reset);
    }

    private String cluster(String host, int sshPort, TestNode like) {
        return "ssh: {user: root, port: " + sshPort + ", identityFile: " + hosts.clientKey() + ", knownHostsFile: "
                + hosts.knownHosts() + ", become: runuser}\n"
                + "nodes:\n  - {host: " + host + ", name: pg1, postgres: {dataDirectory: " + like.dataDirectory()
                + ", port: " + like.pgPort() + "}}\n"
                + "reconcile: {policy: observe}\n";
    }

    @Test
    void theSurvivorRunsTheClusterADeadDaemonWasRunning() throws Exception {
        TestNode store = hosts.node(0);
        hosts.initPrimary(store);
        TestNode node = hosts.node(1);
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
            fleet.commit(NORMAL, cluster(node.address(), node.sshPort(), node));
            fleet.commit(SLOW, cluster("127.0.0.1", hung.getLocalPort(), node));
            String url = "jdbc:postgresql://" + store.address() + ":" + store.pgPort() + "/postgres?user=postgres";
            String name = "pgrds-failover-" + System.nanoTime();

            // the daemon that dies: alone at first, so it takes the slow cluster's job
            ProcessBuilder pb = new ProcessBuilder("java", "-jar", System.getProperty("pgrds.jar",
                    "target/pgrds.jar"), "--repo", fleet.dir().toString(), "daemon", "--interval", "2s", "--http",
                    "127.0.0.1:0", "--job-store", url, "--scheduler-name", name, "--connect-timeout", "15",
                    "--timeout", "15").redirectErrorStream(true).redirectOutput(tmp.resolve("dead.log").toFile());
            pb.environment().put("PGRDS_CACHE", tmp.resolve("cache-dead").toString());
            dead = pb.start();
            String executing = "select instance_name from qrtz_fired_triggers where sched_name = '" + name
                    + "' and job_name = '" + SLOW + "' and state = 'EXECUTING'";
            String deadInstance = await(Duration.ofSeconds(60), () -> {
                String s = psqlOrEmpty(store, executing);
                return s.isEmpty() ? null : s;
            }, "the daemon process never ran " + SLOW);

            // the survivor joins, then the other one dies in the middle of the slow run
            Map<ClusterId, List<Long>> starts = new ConcurrentHashMap<>();
            survivor = new Daemon(new Daemon.Config(fleet.dir().toString(), null, Duration.ofSeconds(2),
                    new InetSocketAddress("127.0.0.1", 0), Optional.empty(),
                    Optional.of(new JobStores.Jdbc(url, Optional.empty(), 5000)), tmp.resolve("cache-survivor"),
                    ShellOptions.defaults().withConnectTimeout(Duration.ofSeconds(3)), 4, Duration.ofSeconds(3),
                    Duration.ofSeconds(30), 3, name, "survivor"));
            survivor.observeRuns(new Daemon.RunObserver() {
                @Override
                public void started(ClusterId id) {
                    starts.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                            .add(System.nanoTime());
                }

                @Override
                public void finished(ClusterId id) {
                }
            });
            survivor.start();
            assertEquals(deadInstance, psqlOrEmpty(store, executing),
                    "the daemon process is still in the middle of the slow run when it is killed");
            dead.destroyForcibly();
            assertTrue(dead.waitFor(30, TimeUnit.SECONDS));
            long killed = System.nanoTime();
            assertFalse(deadInstance.startsWith("survivor-"), deadInstance);

            long took = await(TAKEOVER, () -> starts.getOrDefault(ClusterId.parse(SLOW), List.of())
                    .stream().filter(t -> t > killed).findFirst().map(t -> t - killed).orElse(null),
                    "the survivor did not run " + SLOW + " within " + TAKEOVER.toSeconds() + " s of the kill; log of the dead one:\n"
                            + Files.readString(tmp.resolve("dead.log")));
            await(TAKEOVER, () -> starts.getOrDefault(ClusterId.parse(NORMAL), List.of()).stream()
                    .anyMatch(t -> t > killed) ? Boolean.TRUE : null, "the survivor did not run " + NORMAL);
            assertEquals("0", psqlOrEmpty(store, "select count(*) from qrtz_scheduler_state where sched_name = '"
                    + name + "' and instance_name = '" + deadInstance + "'"),
                    "the survivor removed the dead daemon from the cluster");
            System.out.printf("the survivor ran %s %d ms after the kill of %s%n", SLOW, took / 1_000_000,
                    deadInstance);
        }
    }

    private static String psqlOrEmpty(TestNode store, String sql) {
        try {
            return hosts.psql(store, sql).strip();
        } catch (RuntimeException e) {
            return ""; // the Quartz tables do not exist until the first daemon created them
        }
    }

    private static <T> T await(Duration patience, java.util.function.Supplier<T> probe, String why)
            throws InterruptedException {
        long until = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < until) {
            T t = probe.get();
            if (t != null) {
                return t;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(why);
    }
}
