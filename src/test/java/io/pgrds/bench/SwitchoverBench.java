package io.pgrds.bench;

import io.pgrds.faults.AckWriter;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * How long a planned switchover by {@code pgrds apply} leaves a writing client without its database, and whether
 * it loses an acknowledged commit. Two harness nodes (real sshd and PostgreSQL on their own loopback addresses)
 * form a cluster that pgrds creates from a fleet repository; a writer commits single-row inserts without pause
 * through a multi-host JDBC URL with {@code targetServerType=primary}. The primary pin is moved back and forth N
 * times, each time followed by {@code pgrds apply --auto-approve} in this JVM. The unavailability window of a
 * switchover is the longest pause between two consecutive acknowledged commits around it.
 *
 * <p>The raw floor, in the same run on the same two nodes with the same writer: by hand, {@code pg_ctl stop -m
 * fast} on the primary then {@code pg_ctl promote -w} on the standby (then, outside the window, the old primary is
 * started as a standby of the new one), also N times. At the end every acknowledged id must be on the final
 * primary.
 *
 * <p>Where the time goes is read from the outside: the apply output (each line time-stamped as printed), the
 * nodes' PostgreSQL logs (millisecond time stamps) and the writer's commits.
 *
 * <p>A real {@code pgrds apply} is a new JVM each time, where the switchover code runs cold; the in-process runs
 * (the brief's measure) are followed by a few runs of {@code java -jar target/pgrds.jar apply}, reported apart.
 *
 * <p>Run with {@code bench/switchover.sh [runs] [raw-runs] [new-jvm-runs]}.
 */
public final class SwitchoverBench {
    private static final long TARGET_MILLIS = 500;
    private static final long SETTLE_MILLIS = 1000;

    private final TestHosts hosts;
    private final BenchCluster cluster;
    private final int runs;
    private final int rawRuns;
    private final int jvmRuns;
    private final String become;
    /** The second client: a psql process per commit through a multi-host libpq URL. */
    private AckWriter psqlWriter;

    private SwitchoverBench(TestHosts hosts, Path work, int runs, int rawRuns, int jvmRuns, String become) {
        this.hosts = hosts;
        this.become = become;
        this.cluster = new BenchCluster(hosts, work.resolve("fleet")).become(become);
        this.runs = runs;
        this.rawRuns = rawRuns;
        this.jvmRuns = jvmRuns;
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rawRuns = args.length > 1 ? Integer.parseInt(args[1]) : runs;
        int jvmRuns = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String become = args.length > 3 ? args[3] : "sudo";
        BenchCluster.quietSshj();
        Path work = Files.createTempDirectory("pgrds-bench-switchover-");
        TestHosts hosts = TestHosts.create(2);
        long lost;
        try {
            hosts.start();
            lost = new SwitchoverBench(hosts, work, runs, rawRuns, jvmRuns, become).run();
        } finally {
            hosts.close();
            deleteTree(work);
        }
        System.exit(lost == 0 ? 0 : 1);
    }

    /**
     * One measured switchover. Milestones, wall-clock ms (0 when they could not be read): 0 apply started, 1 the
     * switchover action started, 2 fast shutdown requested, 3 old primary down, 4 pgrds read its final checkpoint,
     * 5 promote requested, 6 new primary accepts connections, 7 the writer's first commit after that, 8 the
     * action done, 9 apply done, 10 start of the longest pause between commits.
     */
    private record Switch(String n, TestNode from, TestNode to, AckWriter.Gap gap, long millis,
                          List<Long> milestones, int errorLines, AckWriter.Gap psqlGap) {
    }

    private long run() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        cluster.commit(List.of(a, b), a.name());
        long t = System.nanoTime();
        cluster.apply();
        System.out.printf(Locale.ROOT, "cluster created by pgrds apply in %.1f s: %s primary, %s standby%n",
                (System.nanoTime() - t) / 1e9, a, b);
        cluster.sql(a, "create table writes (id bigint primary key)");
        cluster.sql(a, "create table writes_psql (id bigint primary key)");
        String password = Files.readString(BenchCluster.secret(a, "admin.password")).strip();
        String url = "jdbc:postgresql://" + a.address() + ":" + a.pgPort() + "," + b.address() + ":" + b.pgPort()
                + "/postgres?targetServerType=primary&connectTimeout=2&socketTimeout=5&loginTimeout=2";

        List<Switch> pgrds = new ArrayList<>();
        List<Switch> cold = new ArrayList<>();
        List<Switch> raw = new ArrayList<>();
        long pgrdsEnd;
        TestNode primary = a;
        TestNode standby = b;
        String libpqUrl = "postgresql://" + a.address() + ":" + a.pgPort() + "," + b.address() + ":" + b.pgPort()
                + "/postgres?target_session_attrs=read-write&connect_timeout=2";
        AckWriter writer = new AckWriter(url, "admin", password).start();
        psqlWriter = AckWriter.psqlPerCommit(a.binDir() + "/psql", libpqUrl, "admin", password, "writes_psql").start();
        try {
            require(writer.awaitAckAfter(System.nanoTime(), 20_000), "the writer commits nothing: "
                    + writer.lastFailure());
            require(psqlWriter.awaitAckAfter(System.nanoTime(), 20_000), "the psql writer commits nothing: "
                    + psqlWriter.lastFailure());
            Thread.sleep(SETTLE_MILLIS);
            for (int i = 1; i <= runs; i++) {
                pgrds.add(pgrdsSwitchover("#" + i, false, primary, standby, writer));
                TestNode was = primary;
                primary = standby;
                standby = was;
            }
            for (int i = 1; i <= jvmRuns; i++) {
                cold.add(pgrdsSwitchover("j" + i, true, primary, standby, writer));
                TestNode was = primary;
                primary = standby;
                standby = was;
            }
            pgrdsEnd = System.nanoTime();
            for (int i = 1; i <= rawRuns; i++) {
                raw.add(rawSwitchover("#" + i, primary, standby, writer));
                TestNode was = primary;
                primary = standby;
                standby = was;
            }
        } finally {
            writer.close();
            psqlWriter.close();
        }

        require(cluster.sql(primary, "select pg_is_in_recovery()").equals("f"), primary + " is not the primary");
        long[] present = cluster.sql(primary, "select id from writes order by id").lines().filter(l -> !l.isBlank())
                .mapToLong(Long::parseLong).toArray();
        long lostPgrds = missing(writer.ackedIds(Long.MIN_VALUE, pgrdsEnd), present);
        long lostRaw = missing(writer.ackedIds(pgrdsEnd, Long.MAX_VALUE), present);
        long[] presentPsql = cluster.sql(primary, "select id from writes_psql order by id").lines()
                .filter(l -> !l.isBlank()).mapToLong(Long::parseLong).toArray();
        long lostPsql = missing(psqlWriter.ackedIds(), presentPsql);
        lostRaw += lostPsql;

        report(pgrds, cold, raw, writer, lostPgrds, lostRaw, a, b);
        reportPsql(pgrds, cold, raw, lostPsql);
        return lostPgrds + lostRaw;
    }

    private Switch pgrdsSwitchover(String n, boolean newJvm, TestNode from, TestNode to, AckWriter writer)
            throws Exception {
        List<TestNode> both = List.of(hosts.node(0), hosts.node(1));
        cluster.commit(both, to.name());
        long t0 = System.nanoTime();
        BenchCluster.Applied applied = newJvm ? cluster.applyInNewJvm() : cluster.apply();
        long t1 = System.nanoTime();
        require(applied.text().contains("switchover " + from.name() + " → " + to.name()),
                "apply did not switch over from " + from + " to " + to + ":\n" + applied.text());
        require(writer.awaitAckAfter(t1, 30_000), "the writer did not commit again after switchover " + n + ": "
                + writer.lastFailure());
        require(psqlWriter.awaitAckAfter(t1, 30_000), "the psql writer did not commit again after switchover " + n
                + ": " + psqlWriter.lastFailure());
        Thread.sleep(SETTLE_MILLIS);
        long t2 = System.nanoTime();
        AckWriter.Gap gap = writer.longestGap(t0, t2);
        AckWriter.Gap psqlGap = psqlWriter.longestGap(t0, t2);

        long start = applied.startMillis();
        long stopAsked = BenchCluster.logged(from, start, "received fast shutdown request").orElse(0L);
        long promoteAsked = BenchCluster.logged(to, start, "received promote request").orElse(0L);
        long ready = BenchCluster.logged(to, Math.max(start, promoteAsked),
                "database system is ready to accept connections").orElse(0L);
        List<Long> m = List.of(
                start,
                applied.out().stream().filter(l -> l.text().contains("switchover") && l.text().endsWith("…"))
                        .map(BenchCluster.Line::millis).findFirst().orElse(0L),
                stopAsked,
                BenchCluster.logged(from, start, "database system is shut down").orElse(0L),
                applied.at("waiting to replay").orElse(0L),
                promoteAsked,
                ready,
                ready == 0 ? 0L : writer.firstAckAfter(ready),
                applied.at("✓ switchover").orElse(0L),
                applied.endMillis(),
                gap.lastBefore());
        int errorLines = (int) applied.err().lines().filter(l -> l.contains(" ERROR ") || l.contains(" WARN "))
                .count();
        Switch s = new Switch(n, from, to, gap, (t1 - t0) / 1_000_000, m, errorLines, psqlGap);
        System.out.printf(Locale.ROOT, "  pgrds switchover %s%s: %s → %s  window %d ms, psql client %d ms  (apply took"
                + " %s)%n", n, newJvm ? " (java -jar, new JVM)" : "", from.name(), to.name(), gap.millis(),
                psqlGap.millis(), seconds(s.millis()));
        return s;
    }

    private Switch rawSwitchover(String n, TestNode from, TestNode to, AckWriter writer) throws Exception {
        long wall0 = System.currentTimeMillis();
        long t0 = System.nanoTime();
        pgCtl(from, "stop", "-m", "fast", "-w", "-t", "60");
        pgCtl(to, "promote", "-w", "-t", "60");
        long t1 = System.nanoTime();
        require(writer.awaitAckAfter(t1, 30_000), "the writer did not commit again after raw switchover " + n + ": "
                + writer.lastFailure());
        require(psqlWriter.awaitAckAfter(t1, 30_000), "the psql writer did not commit again after raw switchover "
                + n + ": " + psqlWriter.lastFailure());
        AckWriter.Gap psqlGap = psqlWriter.longestGap(t0, System.nanoTime());
        // outside the window: the old primary follows the new one, as pgrds would configure it
        followAsStandby(from, to);
        Thread.sleep(SETTLE_MILLIS);
        AckWriter.Gap gap = writer.longestGap(t0, System.nanoTime());
        long promoteAsked = BenchCluster.logged(to, wall0, "received promote request").orElse(0L);
        long ready = BenchCluster.logged(to, Math.max(wall0, promoteAsked),
                "database system is ready to accept connections").orElse(0L);
        List<Long> m = List.of(
                wall0,
                wall0,
                BenchCluster.logged(from, wall0, "received fast shutdown request").orElse(0L),
                BenchCluster.logged(from, wall0, "database system is shut down").orElse(0L),
                0L,
                promoteAsked,
                ready,
                ready == 0 ? 0L : writer.firstAckAfter(ready),
                0L,
                0L,
                gap.lastBefore());
        Switch s = new Switch(n, from, to, gap, (t1 - t0) / 1_000_000, m, 0, psqlGap);
        System.out.printf(Locale.ROOT, "  raw switchover %s:   %s → %s  window %d ms, psql client %d ms  (stop + promote"
                + " took %d ms)%n", n, from.name(), to.name(), gap.millis(), psqlGap.millis(), s.millis());
        return s;
    }

    /** The old primary, stopped cleanly, starts as a standby of the new one (its WAL ends where the new began). */
    private void followAsStandby(TestNode node, TestNode upstream) throws InterruptedException {
        Path conf = node.dataDirectory().resolve("pgrds-standby.conf");
        String conninfo = "host=" + upstream.address() + " port=" + upstream.pgPort() + " user=replicator passfile="
                + BenchCluster.secret(node, "pgpass") + " application_name=" + node.name();
        try {
            Files.writeString(conf, "# written by the switchover benchmark's raw run\nprimary_conninfo = '"
                    + conninfo + "'\n");
            Files.writeString(node.dataDirectory().resolve("standby.signal"), "");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        hosts.run("chown", "postgres:postgres", conf.toString(), node.dataDirectory().resolve("standby.signal")
                .toString());
        hosts.run("chmod", "600", conf.toString());
        pgCtl(node, "start", "-l", BenchCluster.serverLog(node).toString(), "-w", "-t", "60");
        String sql = "select state from pg_stat_replication where application_name = '" + node.name() + "'";
        for (int i = 0; i < 300; i++) {
            if (cluster.sql(upstream, sql).equals("streaming")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(node + " does not stream from " + upstream);
    }

    private void pgCtl(TestNode node, String... args) {
        List<String> argv = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", node.binDir() + "/pg_ctl",
                "-D", node.dataDirectory().toString()));
        argv.addAll(List.of(args));
        hosts.run(argv.toArray(new String[0]));
    }

    // ---- report ----

    /** A step of a switchover: between two milestones (indexes into {@link Switch#milestones()}). */
    private record Step(String label, int from, int to) {
    }

    private static final List<Step> PGRDS_STEPS = List.of(
            new Step("observe, plan, lock, markers (before the action)", 0, 1),
            new Step("action start → fast shutdown requested (replication check, CHECKPOINT)", 1, 2),
            new Step("fast shutdown requested → old primary down", 2, 3),
            new Step("old primary down → pgrds reads its final checkpoint (pg_ctl returns, pg_controldata)", 3, 4),
            new Step("→ promote requested (replay check, pg_ctl promote)", 4, 5),
            new Step("promote requested → new primary accepts writes", 5, 6),
            new Step("new primary accepts writes → writer's first commit (reconnect)", 6, 7),
            new Step("writer's first commit → action done (old primary restarts as standby, streams)", 7, 8),
            new Step("action done → apply done (endpoint, markers, audit)", 8, 9),
            new Step("(start of the longest pause − fast shutdown requested)", 2, 10));

    private static final List<Step> RAW_STEPS = List.of(
            new Step("start → fast shutdown requested (runuser, pg_ctl stop)", 1, 2),
            new Step("fast shutdown requested → old primary down", 2, 3),
            new Step("old primary down → promote requested (pg_ctl returns, runuser, pg_ctl promote)", 3, 5),
            new Step("promote requested → new primary accepts writes", 5, 6),
            new Step("new primary accepts writes → writer's first commit (reconnect)", 6, 7),
            new Step("(start of the longest pause − fast shutdown requested)", 2, 10));

    private void report(List<Switch> pgrds, List<Switch> cold, List<Switch> raw, AckWriter writer, long lostPgrds,
                        long lostRaw, TestNode a, TestNode b) {
        long[] pw = windows(pgrds);
        long[] cw = windows(cold);
        long[] rw = windows(raw);
        double pm = median(pw);
        double rm = median(rw);
        System.out.println();
        System.out.printf(Locale.ROOT, "pgrds switchover benchmark: 2 nodes %s and %s (sshd + PostgreSQL 15 each), "
                        + "%d switchovers by pgrds apply in this JVM, %d in a new JVM, %d raw; writer: single-row "
                        + "autocommit inserts through targetServerType=primary, retrying %d ms after an error%n", a, b,
                pgrds.size(), cold.size(), raw.size(), AckWriter.RETRY_MILLIS);
        System.out.println("  unavailability window = longest pause between two consecutive acknowledged commits "
                + "around the switchover");
        System.out.println("  pgrds apply in this JVM (move the primary pin, apply --auto-approve): windows "
                + join(unsorted(pgrds)) + " ms");
        System.out.printf(Locale.ROOT, "    median %.0f ms, max %d ms   (target: at most %d ms; for scale, Patroni 3.0 "
                + "+ etcd on this kind of machine: about 1100 ms)%n", pm, max(pw), TARGET_MILLIS);
        if (!cold.isEmpty()) {
            System.out.println("  pgrds apply in a new JVM each time (java -jar target/pgrds.jar, as an operator runs it):"
                    + " windows " + join(unsorted(cold)) + " ms");
            System.out.printf(Locale.ROOT, "    median %.0f ms, max %d ms%n", median(cw), max(cw));
        }
        System.out.println("  raw floor (pg_ctl stop -m fast on the primary, then pg_ctl promote -w on the standby): "
                + "windows " + join(unsorted(raw)) + " ms");
        System.out.printf(Locale.ROOT, "    median %.0f ms, max %d ms%n", rm, max(rw));
        System.out.printf(Locale.ROOT, "  ratio pgrds / raw (medians): %.2f× in this JVM%s%n", pm / rm,
                cold.isEmpty() ? "" : String.format(Locale.ROOT, ", %.2f× in a new JVM", median(cw) / rm));
        System.out.printf(Locale.ROOT, "  acknowledged commits: %d (%d failed attempts while unavailable); lost: %d "
                        + "in the pgrds runs, %d in the raw runs (target: 0)%n", writer.acked(), writer.failures(),
                lostPgrds, lostRaw);
        List<Switch> all = new ArrayList<>(pgrds);
        all.addAll(cold);
        long[] applyMillis = all.stream().mapToLong(Switch::millis).sorted().toArray();
        System.out.printf(Locale.ROOT, "  pgrds apply wall time per switchover: median %.1f s, max %.1f s%n",
                median(applyMillis) / 1000, max(applyMillis) / 1000.0);
        int errorLines = cold.stream().mapToInt(Switch::errorLines).sum();
        if (errorLines > 0) {
            System.out.printf(Locale.ROOT, "  note: the new-JVM applies printed %d ERROR/WARN log lines with stack "
                    + "traces on stderr (sshj, closing a connection that still had a tunnel open); they exited 0%n",
                    errorLines);
        }
        System.out.println();
        breakdown("where a pgrds switchover's time goes (ms; from the apply output, server logs and the writer; "
                + "median of the runs in this JVM)", all, pgrds.size(), PGRDS_STEPS);
        breakdown("where a raw switchover's time goes (ms)", raw, raw.size(), RAW_STEPS);
        System.out.println();
        long worst = Math.max(max(pw), max(cw));
        boolean met = worst <= TARGET_MILLIS && lostPgrds == 0;
        System.out.println(met ? "  targets met: every pgrds window at most " + TARGET_MILLIS + " ms, 0 lost"
                : "  TARGET MISSED:" + (worst > TARGET_MILLIS ? " a pgrds window of " + worst + " ms (target: at most "
                + TARGET_MILLIS + " ms)" : "") + (lostPgrds > 0 ? " " + lostPgrds + " acknowledged commits lost" : ""));
    }

    /** The psql-per-commit client's windows: what the simplest libpq client sees of the same switchovers. */
    private void reportPsql(List<Switch> pgrds, List<Switch> cold, List<Switch> raw, long lost) {
        long[] pw = pgrds.stream().mapToLong(s -> s.psqlGap().millis()).sorted().toArray();
        long[] cw = cold.stream().mapToLong(s -> s.psqlGap().millis()).sorted().toArray();
        long[] rw = raw.stream().mapToLong(s -> s.psqlGap().millis()).sorted().toArray();
        System.out.println();
        System.out.printf(Locale.ROOT, "psql client (a new psql process per commit, multi-host libpq URL with "
                + "target_session_attrs=read-write, connect_timeout=2, %d ms pause after a failure), become: %s%n",
                AckWriter.RETRY_MILLIS, become);
        System.out.printf(Locale.ROOT, "  pgrds apply in this JVM: windows %s ms; median %.0f ms, max %d ms (goal ≤ 400 "
                + "ms; Patroni 3.0 with this client about 1150 ms)%n", join(pgrds.stream().mapToLong(sw -> sw.psqlGap()
                .millis()).toArray()), median(pw), max(pw));
        if (cw.length > 0) {
            System.out.printf(Locale.ROOT, "  pgrds apply in a new JVM: median %.0f ms, max %d ms%n", median(cw), max(cw));
        }
        System.out.printf(Locale.ROOT, "  raw floor: median %.0f ms, max %d ms; ratio pgrds / raw %.2f×%n", median(rw),
                max(rw), median(pw) / median(rw));
        System.out.printf(Locale.ROOT, "  acknowledged commits: %d (%d failed attempts); lost: %d (target: 0)%n",
                psqlWriter.acked(), psqlWriter.failures(), lost);
    }

    private static long[] windows(List<Switch> switches) {
        return switches.stream().mapToLong(s -> s.gap().millis()).sorted().toArray();
    }

    private static long[] unsorted(List<Switch> switches) {
        return switches.stream().mapToLong(s -> s.gap().millis()).toArray();
    }

    /** A table: a row per step, a column per switchover, and the median of the first {@code medianOf} columns. */
    private static void breakdown(String title, List<Switch> switches, int medianOf, List<Step> steps) {
        System.out.println("  " + title + ":");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "    %-86s", "step"));
        for (int i = 0; i < switches.size(); i++) {
            head.append(String.format(Locale.ROOT, "%6s", switches.get(i).n()));
            if (i == medianOf - 1) {
                head.append(String.format(Locale.ROOT, "%8s", "median"));
            }
        }
        System.out.println(head);
        for (Step step : steps) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "    %-86s", step.label()));
            List<Long> known = new ArrayList<>();
            for (int i = 0; i < switches.size(); i++) {
                Optional<Long> d = span(switches.get(i), step.from(), step.to());
                row.append(String.format(Locale.ROOT, "%6s", d.map(Object::toString).orElse("?")));
                if (i < medianOf) {
                    d.ifPresent(known::add);
                }
                if (i == medianOf - 1) {
                    row.append(String.format(Locale.ROOT, "%8s", known.isEmpty() ? "?" : String.format(Locale.ROOT,
                            "%.0f", median(known.stream().mapToLong(Long::longValue).sorted().toArray()))));
                }
            }
            System.out.println(row);
        }
    }

    private static Optional<Long> span(Switch s, int from, int to) {
        long a = s.milestones().get(from);
        long b = s.milestones().get(to);
        return a == 0 || b == 0 ? Optional.empty() : Optional.of(b - a);
    }

    // ---- small helpers ----

    private static long missing(long[] acked, long[] present) {
        return Arrays.stream(acked).filter(id -> Arrays.binarySearch(present, id) < 0).count();
    }

    private static double median(long[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0;
    }

    private static long max(long[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    private static String join(long[] values) {
        return String.join(", ", Arrays.stream(values).mapToObj(Long::toString).toList());
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
