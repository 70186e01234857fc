package io.pgrds.bench;

import io.pgrds.daemon.Daemon;
import io.pgrds.daemon.JobStores;
import io.pgrds.daemon.WatchState;
import io.pgrds.desired.ClusterId;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.FleetRepo;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.ShellOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon watching N clusters (default 100) with {@code failover: automatic} and a health check every second: the
 * steady cost of automatic failover. The nodes are simulated as in {@link DaemonBench} (the probe answered after 5–20
 * ms), except that every tunnel leads to one real PostgreSQL (a harness node, which is also the clustered job store),
 * so each health check is the real thing: one JDBC session per watched primary, kept open, two queries a second.
 * The daemon runs in a JVM of its own as a service runs it ({@code -XX:+UseSerialGC -Xmx128m}); after every cluster is
 * watched and a warm-up, it measures for 30 s the CPU its process used (utime + stime from /proc/self/stat) per
 * second of wall time, and its resident set. As the raw baseline, the same number of health-check queries done by
 * one JDBC session in a tight loop, as CPU per check. Targets: at most 0.3 of a core, RSS under 256 MB. Needs root
 * (the harness). Run with {@code bench/daemon.sh --watched [clusters]}.
 */
public final class WatchBench {
    private static final Duration WINDOW = Duration.ofSeconds(30);

    private WatchBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--daemon")) {
            daemon(Path.of(args[1]), args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            return;
        }
        int clusters = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        DaemonBench.quiet();
        try (TestHosts hosts = TestHosts.create(1).start()) {
            TestNode pg = hosts.node(0);
            hosts.initPrimary(pg);
            hosts.psql(pg, "alter system set max_connections = " + (clusters + 100));
            hosts.stop(pg);
            hosts.start(pg);
            Path tmp = Files.createTempDirectory("pgrds-watch-bench");
            FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
            List<ClusterId> ids = DaemonBench.ids(clusters);
            for (ClusterId id : ids) {
                Path file = fleet.dir().resolve("clusters").resolve(id + ".yaml");
                Files.createDirectories(file.getParent());
                Files.writeString(file, DaemonBench.yaml(id, "reconcile: {policy: observe, failover: automatic}\n"));
            }
            fleet.commit(ids.get(0).toString(), DaemonBench.yaml(ids.get(0),
                    "reconcile: {policy: observe, failover: automatic}\n"));
            String jobStore = "jdbc:postgresql://" + pg.address() + ":" + pg.pgPort() + "/postgres?user=postgres";
            System.out.printf("pgrds watch benchmark: %d clusters with failover: automatic, a health check every 1 s "
                    + "each (SSH simulated, every tunnel to one real PostgreSQL 15, also the job store)%n", clusters);
            System.out.printf("  raw baseline: %.1f µs of CPU per health check (the same two queries in a loop on "
                    + "one JDBC session, this JVM)%n", rawMicrosPerCheck(jobStore));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx128m", "-cp",
                    System.getProperty("java.class.path"), WatchBench.class.getName(), "--daemon",
                    fleet.dir().toString(), jobStore, pg.address(), Integer.toString(pg.pgPort()),
                    Integer.toString(clusters)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("the daemon JVM failed:\n" + out);
            }
            out.strip().lines().forEach(l -> System.out.println("  " + l));
        }
    }

    /** CPU microseconds per health check when one session runs the checks' queries back to back. */
    private static double rawMicrosPerCheck(String url) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
             java.sql.Statement s = c.createStatement()) {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            int n = 5000;
            for (int round = 0; round < 2; round++) { // the first round warms the JIT up
                long cpu0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < n; i++) {
                    try (java.sql.ResultSet r = s.executeQuery("select pg_is_in_recovery(), "
                            + "pg_postmaster_start_time()")) {
                        r.next();
                    }
                    try (java.sql.ResultSet r = s.executeQuery("select application_name, coalesce(pg_wal_lsn_diff("
                            + "pg_current_wal_lsn(), flush_lsn), 0)::bigint from pg_stat_replication "
                            + "where state = 'streaming'")) {
                        while (r.next()) {
                            r.getString(1);
                        }
                    }
                }
                if (round == 1) {
                    return (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
                }
            }
            throw new IllegalStateException("unreachable");
        }
    }

    /** The child JVM: the daemon watching every cluster; prints the measured figures. */
    private static void daemon(Path repo, String jobStore, String host, int port, int clusters) throws Exception {
        DaemonBench.quiet();
        Path tmp = Files.createTempDirectory("pgrds-watch-bench-cache");
        DaemonBench.Simulated sim = new DaemonBench.Simulated(new NodeShell.Endpoint(host, port));
        Daemon daemon = new Daemon(new Daemon.Config(repo.toString(), null, Duration.ofHours(1), null,
                Optional.empty(), Optional.of(new JobStores.Jdbc(jobStore, Optional.empty(), 5000)), tmp,
                ShellOptions.defaults(), 16, Duration.ofSeconds(30), Duration.ofSeconds(30), 4, "pgrds-watch-bench",
                "bench"), sim).start();
        try {
            long t0 = System.nanoTime();
            while (watching(daemon) < clusters) {
                if (System.nanoTime() - t0 > Duration.ofSeconds(180).toNanos()) {
                    throw new IllegalStateException("only " + watching(daemon) + " of " + clusters + " clusters "
                            + "watched after 180 s: " + daemon.watches());
                }
                Thread.sleep(100);
            }
            System.out.printf("every cluster watched %.1f s after the start%n", (System.nanoTime() - t0) / 1e9);
            Thread.sleep(10_000); // warm-up: the JIT, the first regular runs
            long cpu0 = cpuTicks();
            long w0 = System.nanoTime();
            Instant from = Instant.now();
            Thread.sleep(WINDOW.toMillis());
            double wall = (System.nanoTime() - w0) / 1e9;
            double cpu = (cpuTicks() - cpu0) / (double) ticksPerSecond();
            Instant to = Instant.now();
            Map<ClusterId, WatchState> w = daemon.watches();
            long fresh = w.values().stream().filter(s -> s.state().equals("watching") && s.lastCheckAt()
                    .filter(at -> at.isAfter(to.minusSeconds(3))).isPresent()).count();
            double cores = cpu / wall;
            long rss = DaemonBench.rssKb();
            System.out.printf("over %.0f s: %.2f s of CPU, %.3f of a core on average (target at most 0.3: %s); "
                            + "%d of %d watches checked in the last 3 s%n", wall, cpu, cores,
                    cores <= 0.3 ? "met" : "MISSED", fresh, clusters);
            System.out.printf("RSS (VmRSS of the daemon JVM, -XX:+UseSerialGC -Xmx128m): %d MB (target under 256 MB: "
                    + "%s)%n", rss / 1024, rss < 256 * 1024 ? "met" : "MISSED");
            System.out.printf("CPU per watched cluster and second: %.2f ms (window %s – %s)%n", cpu * 1000 / clusters
                    / wall, from, to);
        } finally {
            daemon.close();
        }
    }

    private static int watching(Daemon d) {
        return (int) d.watches().values().stream().filter(s -> s.state().equals("watching")).count();
    }

    /** utime + stime of this process, in clock ticks. */
    private static long cpuTicks() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long ticksPerSecond() throws Exception {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
        return Long.parseLong(new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
    }
}
