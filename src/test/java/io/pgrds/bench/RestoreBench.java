package io.pgrds.bench;

import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.util.Units;
import io.pgrds.testing.HarnessCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How long pgrds takes to bring up a new cluster restored from a backup, next to what the restore itself costs.
 * A cluster that pgrds creates on one harness node archives into a posix pgBackRest repository on this machine;
 * {@code pgbench -i} fills it (about SIZE MB, 1024 by default), pgrds takes a full backup, then one row is written
 * and its WAL archived, so that a restore to {@code latest} must replay the archive too. Then, in each of RUNS
 * rounds (2 by default; which goes first alternates), timed on the second node:
 * <ol>
 *   <li>raw: what an operator runs by hand for the same backup, with the options pgrds passes for {@code latest}:
 *       {@code pgbackrest --stanza=bench-source --type=default restore} into a fresh empty directory, {@code pg_ctl
 *       start -w} with its own port, socket directory and {@code archive_mode=off} (the copy must not archive into
 *       the source's stanza), then {@code select pg_is_in_recovery()} every 10 ms until it accepts writes;</li>
 *   <li>pgrds: a new single-node cluster whose file says {@code bootstrap: {restore: {from: bench/source, target:
 *       {latest: true}}}}, {@code pgrds apply --auto-approve bench/restored} in this JVM, from the call until it
 *       returns (the new cluster primary and open, its roles checked, the markers and audit written).</li>
 * </ol>
 * One untimed restore of each kind comes first (the first restore after a backup was much slower than the later
 * ones, and the first apply of a restore runs code the JVM has not compiled yet).
 * Each copy is checked (every pgbench branch and the row written after the backup), then stopped and removed before
 * the next, so at most one restored copy exists at a time; dirty pages are written back ({@code sync}) and the
 * disk is left idle for a few seconds before each timed restore (without that pause the second restore of a round
 * was up to 0.8 s slower, whichever kind it was: the previous copy's write-back and deletion still ran). Where the time goes is read from the outside: the apply output (each line time-stamped as
 * printed), pgBackRest's own log and the PostgreSQL server log of each copy. Target: pgrds at most 1.1× raw.
 *
 * <p>Run with {@code bench/restore.sh [size-mb] [runs]}. Refuses to start with less than 6 GiB free (or six times
 * the size) in the temporary directory, where the harness keeps the nodes and the repository.
 */
public final class RestoreBench {
    private static final double TARGET_RATIO = 1.1;
    private static final Duration LONG = Duration.ofMinutes(30);
    private static final String SOURCE = "bench/source";
    private static final String RESTORED = "bench/restored";
    private static final String STANZA = "bench-source";
    /** pgbench's data per unit of scale, about: scale 70 is 1.0 GiB. */
    private static final double MIB_PER_SCALE = 1024.0 / 70;

    private final TestHosts hosts;
    private final BenchCluster cluster;
    private final int sizeMb;
    private final int runs;
    private Path repository;
    private String rawOptions;
    private String pgrdsOptions;

    private RestoreBench(TestHosts hosts, Path work, int sizeMb, int runs) {
        this.hosts = hosts;
        this.cluster = new BenchCluster(hosts, work.resolve("fleet"));
        this.sizeMb = sizeMb;
        this.runs = runs;
    }

    public static void main(String[] args) throws Exception {
        int sizeMb = Integer.parseInt((args.length > 0 ? args[0] : System.getenv().getOrDefault("SIZE_MB", "1024"))
                .strip());
        int runs = Integer.parseInt((args.length > 1 ? args[1] : System.getenv().getOrDefault("RUNS", "2")).strip());
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long free = Files.getFileStore(tmp).getUsableSpace();
        long need = Math.max(6L << 30, 6L * sizeMb << 20);
        if (free < need) {
            System.err.printf(Locale.ROOT, "bench/restore: only %s free in %s, which holds the source, its "
                    + "repository and one restored copy at a time; it needs %s. Free some space or pass a smaller "
                    + "size (MB) as the first argument.%n", Units.bytes(free), tmp, Units.bytes(need));
            System.exit(2);
        }
        BenchCluster.quietSshj();
        Path work = Files.createTempDirectory("pgrds-bench-restore-");
        TestHosts hosts = TestHosts.create(2);
        try {
            hosts.start();
            new RestoreBench(hosts, work, sizeMb, runs).run();
        } finally {
            hosts.close();
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void run() {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        repository = hosts.root().resolve("repository");
        hosts.run("install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0750", repository.toString());
        cluster.commit(SOURCE, HarnessCluster.yaml(hosts, List.of(a), "max_connections: 50") + "primary: " + a.name()
                + "\nrepositories: {main: {type: posix, path: " + repository + "}}\n"
                + "backup: {repository: main, retention: {full: 1}}\n");
        long t = System.nanoTime();
        cluster.pgrds("apply", "--auto-approve", SOURCE);
        System.out.printf(Locale.ROOT, "source %s created by pgrds apply on %s with archiving into %s in %.1f s%n",
                SOURCE, a, repository, seconds(t));

        int scale = Math.max(1, (int) Math.round(sizeMb / MIB_PER_SCALE));
        t = System.nanoTime();
        BenchCluster.run(LONG, "runuser", "-u", "postgres", "--", a.binDir() + "/pgbench", "-i", "-q", "-s",
                Integer.toString(scale), "-h", BenchCluster.socket(a), "-p", Integer.toString(a.pgPort()), "postgres");
        cluster.sql(a, "checkpoint");
        long dbSize = Long.parseLong(cluster.sql(a, "select pg_database_size('postgres')"));
        System.out.printf(Locale.ROOT, "loaded with pgbench -i -s %d in %.1f s: database postgres %s (%d bytes)%n",
                scale, seconds(t), Units.bytes(dbSize), dbSize);

        t = System.nanoTime();
        BenchCluster.Applied backup = cluster.pgrds("backup", SOURCE, "--type", "full");
        System.out.printf(Locale.ROOT, "full backup by pgrds backup in %.1f s: %s%n", seconds(t), backup.out()
                .stream().map(BenchCluster.Line::text).filter(l -> l.contains("full backup")).findFirst()
                .orElse(backup.text().strip()).strip());
        cluster.sql(a, "create table after_backup (at timestamptz default now()); insert into after_backup "
                + "default values");
        archiveNow(a);
        long repoBytes = Long.parseLong(hosts.run("du", "-sb", repository.toString()).split("\\s+")[0]);
        System.out.printf(Locale.ROOT, "one row written after the backup and its WAL archived; repository %s%n",
                Units.bytes(repoBytes));

        cluster.commit(RESTORED, HarnessCluster.yaml(hosts, List.of(b), "max_connections: 50") + "primary: "
                + b.name() + "\nbootstrap: {restore: {from: " + SOURCE + ", target: {latest: true}}}\n");

        // the first restore after the backup took up to twice as long as the later ones here (6.7 s against
        // 3.4-3.9 s), and the first pgrds apply of a restore runs code this JVM has not compiled yet: one untimed
        // restore of each kind first, so that no timed round pays for either
        Timed warmRaw = raw(b, scale);
        Timed warmPgrds = pgrds(b, scale);
        System.out.printf(Locale.ROOT, "warm-up, not counted: raw %s, pgrds %s%n", ms(warmRaw.millis()),
                ms(warmPgrds.millis()));

        List<Timed> raws = new ArrayList<>();
        List<Timed> pgrdss = new ArrayList<>();
        for (int round = 1; round <= runs; round++) {
            boolean rawFirst = round % 2 == 1;
            Timed raw = rawFirst ? raw(b, scale) : null;
            Timed pgrds = pgrds(b, scale);
            raw = rawFirst ? raw : raw(b, scale);
            raws.add(raw);
            pgrdss.add(pgrds);
            System.out.printf(Locale.ROOT, "  round %d (%s first): raw %s; pgrds apply %s (restore primary action "
                    + "%s)%n", round, rawFirst ? "raw" : "pgrds", ms(raw.millis()), ms(pgrds.millis()),
                    ms(pgrds.milestones().get(ACTION_DONE) - pgrds.milestones().get(ACTION_START)));
        }

        double raw = median(raws.stream().map(Timed::millis).toList());
        double pgrds = median(pgrdss.stream().map(Timed::millis).toList());
        double ratio = pgrds / raw;
        System.out.println();
        System.out.printf(Locale.ROOT, "pgrds restore benchmark: pgbench scale %d, %s in the database, full backup "
                + "in a posix repository (%s), restored to latest on %s (sshd + PostgreSQL 15, one disk), %d "
                + "rounds%n", scale, Units.bytes(dbSize), Units.bytes(repoBytes), b, runs);
        System.out.printf(Locale.ROOT, "  raw pgbackrest restore + pg_ctl start until writable:  median %s  (%s)%n",
                ms(Math.round(raw)), String.join(", ", raws.stream().map(x -> ms(x.millis())).toList()));
        System.out.printf(Locale.ROOT, "  pgrds apply of the restored cluster:                  median %s  (%s)%n",
                ms(Math.round(pgrds)), String.join(", ", pgrdss.stream().map(x -> ms(x.millis())).toList()));
        List<Long> open = pgrdss.stream().map(x -> x.milestones().get(ACTION_DONE) - x.milestones().get(0)).toList();
        double opened = median(open);
        System.out.printf(Locale.ROOT, "  pgrds apply until it reports the primary open:        median %s  (%s), "
                + "%.2f× raw; the rest is the roles action, markers and audit%n", ms(Math.round(opened)),
                String.join(", ", open.stream().map(RestoreBench::ms).toList()), opened / raw);
        System.out.printf(Locale.ROOT, "  ratio pgrds / raw (medians): %.2f×  (target: at most %.1f×)%s%n", ratio,
                TARGET_RATIO, ratio <= TARGET_RATIO ? "" : "  TARGET MISSED");
        List<String> paired = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            paired.add(String.format(Locale.ROOT, "%.2f×", (double) pgrdss.get(i).millis() / raws.get(i).millis()));
        }
        System.out.println("  ratio round by round: " + String.join(", ", paired));
        List<Long> ownPgrds = pgrdss.stream().filter(x -> !x.milestones().contains(0L)).map(x -> outside(x, 3, 4, 5, 6,
                8)).toList();
        List<Long> ownRaw = raws.stream().filter(x -> !x.milestones().contains(0L)).map(x -> outside(x, 1, 2, 3, 4, 5))
                .toList();
        if (!ownPgrds.isEmpty() && !ownRaw.isEmpty()) {
            System.out.printf(Locale.ROOT, "  outside pgbackrest restore and the server's start-up: pgrds median %s "
                    + "(%s), raw median %s (%s)%n", ms(Math.round(median(ownPgrds))), String.join(", ", ownPgrds
                    .stream().map(RestoreBench::ms).toList()), ms(Math.round(median(ownRaw))), String.join(", ", ownRaw
                    .stream().map(RestoreBench::ms).toList()));
        }
        List<Long> cpu = jvmCpu.subList(1, jvmCpu.size()); // not the warm-up
        System.out.printf(Locale.ROOT, "  CPU time of this JVM during each pgrds apply (%s): median %s (%s)%n",
                String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
                        .stream().filter(x -> x.startsWith("-XX")).toList()), ms(Math.round(median(cpu))),
                String.join(", ", cpu.stream().map(RestoreBench::ms).toList()));
        List<Long> inRestore = jvmCpuInRestore.subList(1, jvmCpuInRestore.size());
        System.out.printf(Locale.ROOT, "    of which while pgBackRest's restore step ran (sampled every 20 ms): median %s "
                + "(%s)%n", ms(Math.round(median(inRestore))), String.join(", ", inRestore.stream()
                .map(RestoreBench::ms).toList()));
        System.out.println("  pgBackRest's options as it logged them: raw " + rawOptions);
        System.out.println("                                         pgrds " + pgrdsOptions);
        table("inside pgrds apply (ms; from the apply output, pgBackRest's log and the server log):", PGRDS_STEPS,
                pgrdss);
        table("inside the raw restore (ms, same sources):", RAW_STEPS, raws);
    }

    /**
     * The time of a run spent outside pgBackRest's restore and the server's start-up: from the start to the restore's
     * begin, from its end to the postmaster starting, from the server open to the end. The arguments are the indexes
     * of those milestones (restore begin, restore end, postmaster starting, server open, end).
     */
    private static long outside(Timed t, int restoreBegin, int restoreEnd, int starting, int open, int end) {
        List<Long> m = t.milestones();
        return m.get(restoreBegin) - m.get(0) + m.get(starting) - m.get(restoreEnd) + m.get(end) - m.get(open);
    }

    // ---- the raw restore ----

    private static final String[] RAW_STEPS = {
        "pgbackrest starting",
        "pgbackrest restore",
        "→ pg_ctl start: postmaster starting",
        "recovery (fsync, archived WAL), promotion, end-of-recovery checkpoint",
        "→ seen writable (polls every 10 ms)",
    };

    /** pgbackrest restore into an empty directory, start, wait until writable; then checked and removed. */
    private Timed raw(TestNode on, int scale) {
        Path dir = on.dir().resolve("raw-restore");
        Path data = dir.resolve("data");
        Path socket = dir.resolve("run");
        Path log = dir.resolve("postgresql.log");
        Path conf = dir.resolve("pgbackrest.conf");
        hosts.run("rm", "-rf", dir.toString());
        hosts.run("install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0700", dir.toString(), data.toString(),
                socket.toString(), dir.resolve("log").toString(), dir.resolve("lock").toString());
        write(conf, "[global]\nrepo1-type=posix\nrepo1-path=" + repository + "\nlog-path=" + dir.resolve("log")
                + "\nlock-path=" + dir.resolve("lock") + "\n\n[" + STANZA + "]\npg1-path=" + data + "\n");
        hosts.run("chown", "postgres:postgres", conf.toString());
        settle();
        String port = Integer.toString(on.pgPort());
        long start = System.currentTimeMillis();
        BenchCluster.run(LONG, "runuser", "-u", "postgres", "--", "pgbackrest", "--config=" + conf, "--stanza="
                + STANZA, "--type=default", "restore");
        BenchCluster.run(LONG, "runuser", "-u", "postgres", "--", on.binDir() + "/pg_ctl", "start", "-D",
                data.toString(), "-l", log.toString(), "-w", "-t", "600", "-s", "-o", "-c port=" + port
                + " -c listen_addresses=" + on.address() + " -c unix_socket_directories=" + socket
                + " -c archive_mode=off");
        try {
            while (!writable(on, socket)) {
                Thread.sleep(10);
            }
            long end = System.currentTimeMillis();
            List<Long> m = List.of(start, restoreLog(dir.resolve("log"), start, "begin").orElse(0L),
                    restoreLog(dir.resolve("log"), start, "end").orElse(0L),
                    BenchCluster.logged(log, start, l -> l.contains("starting PostgreSQL")).orElse(0L),
                    BenchCluster.logged(log, start, l -> l.contains("ready to accept connections")).orElse(0L), end);
            check(on, socket, scale, "raw restore");
            if (System.getenv("BENCH_LOGS") != null) {
                System.out.println("---- raw server log\n" + hosts.run("cat", log.toString()));
            }
            if (rawOptions == null) {
                rawOptions = restoreOptions(dir.resolve("log"));
            }
            return new Timed(end - start, m);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            hosts.tryRun("runuser", "-u", "postgres", "--", on.binDir() + "/pg_ctl", "stop", "-D", data.toString(),
                    "-m", "immediate", "-w", "-s");
            hosts.run("rm", "-rf", dir.toString());
        }
    }

    /** Writes back dirty pages, then leaves the disk idle, so one restore's write-back does not slow the next. */
    private void settle() {
        hosts.run("sync");
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        hosts.run("sync");
    }

    private static final long SETTLE_MILLIS = 5_000;

    // ---- pgrds ----

    private static final int ACTION_START = 2;
    private static final int ACTION_DONE = 7;
    private static final String[] PGRDS_STEPS = {
        "read git, observe, plan (and print it)",
        "lock, markers",
        "→ pgbackrest begins: directories, creating flag, restore config",
        "pgbackrest restore",
        "→ postmaster starting: source secrets over SSH, config files, pg_ctl start",
        "recovery (fsync, archived WAL), promotion, end-of-recovery checkpoint",
        "→ restore action done: pgrds sees it writable, resets recovery settings",
        "→ apply done: roles, markers, audit",
    };

    /** pgrds apply of the restored cluster on a wiped node; then checked and wiped. */
    private Timed pgrds(TestNode on, int scale) {
        settle();
        try {
            long cpu0 = jvmCpuMillis();
            CpuSampler sampler = CpuSampler.start();
            BenchCluster.Applied applied;
            try {
                applied = cluster.pgrds("apply", "--auto-approve", RESTORED);
            } finally {
                sampler.stop();
            }
            jvmCpu.add(jvmCpuMillis() - cpu0);
            long start = applied.startMillis();
            Path pgbackrestLog = Path.of(on.dataDirectory() + ".pgrds/pgbackrest/log");
            List<Long> m = List.of(start,
                    applied.out().isEmpty() ? 0L : applied.out().get(0).millis(),
                    applied.out().stream().filter(l -> l.text().contains("restore primary") && l.text().endsWith("…"))
                            .map(BenchCluster.Line::millis).findFirst().orElse(0L),
                    restoreLog(pgbackrestLog, start, "begin").orElse(0L),
                    restoreLog(pgbackrestLog, start, "end").orElse(0L),
                    BenchCluster.logged(on, start, "starting PostgreSQL").orElse(0L),
                    BenchCluster.logged(on, start, "ready to accept connections").orElse(0L),
                    applied.at("✓ restore primary").orElseThrow(() -> new IllegalStateException("apply did not "
                            + "restore:\n" + applied.text())),
                    applied.endMillis());
            jvmCpuInRestore.add(sampler.between(m.get(3), m.get(4)));
            check(on, Path.of(BenchCluster.socket(on)), scale, "pgrds restore");
            if (System.getenv("BENCH_LOGS") != null) {
                System.out.println("---- pgrds server log\n" + hosts.run("cat", BenchCluster.serverLog(on).toString())
                        + "---- pgrds apply (ms since the call)\n" + String.join("\n", applied.out().stream()
                        .map(l -> (l.millis() - start) + " " + l.text()).toList()));
            }
            if (pgrdsOptions == null) {
                pgrdsOptions = restoreOptions(pgbackrestLog);
            }
            return new Timed(applied.endMillis() - start, m);
        } finally {
            hosts.reset(on);
            hosts.run("rm", "-rf", on.dataDirectory() + ".pgrds");
        }
    }

    /** CPU time this JVM used during each pgrds apply: on two cores it competes with pgBackRest's one process. */
    private final List<Long> jvmCpu = new ArrayList<>();
    /** The part of it used while pgBackRest's restore step ran (from its log's begin and end). */
    private final List<Long> jvmCpuInRestore = new ArrayList<>();

    /** Samples this JVM's CPU time every 20 ms, to tell how much of it fell into a window of wall-clock time. */
    private static final class CpuSampler {
        private final List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;

        private CpuSampler() {
            thread = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    samples.add(new long[] {System.currentTimeMillis(), jvmCpuMillis()});
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-cpu-sampler");
            thread.setDaemon(true);
        }

        static CpuSampler start() {
            CpuSampler s = new CpuSampler();
            s.thread.start();
            return s;
        }

        void stop() {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** CPU ms used from the last sample at or before {@code from} to the first at or after {@code to}. */
        long between(long from, long to) {
            if (from == 0 || to == 0) {
                return 0;
            }
            long before = -1;
            long after = -1;
            synchronized (samples) {
                for (long[] x : samples) {
                    if (x[0] <= from) {
                        before = x[1];
                    }
                    if (x[0] >= to && after < 0) {
                        after = x[1];
                    }
                }
            }
            return before < 0 || after < 0 ? 0 : after - before;
        }
    }

    private static long jvmCpuMillis() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
    }

    // ---- shared ----

    /** Total ms and wall-clock milestones (0 when one could not be read) as the step tables need them. */
    private record Timed(long millis, List<Long> milestones) {
    }

    private void check(TestNode on, Path socket, int scale, String what) {
        String got = psql(on, socket, "select (select count(*) from pgbench_branches) || ',' || (select count(*) "
                + "from after_backup) || ',' || pg_is_in_recovery()");
        if (!got.equals(scale + ",1,false")) {
            throw new IllegalStateException(what + " on " + on + ": expected " + scale + " branches, the row written "
                    + "after the backup and a primary; got " + got);
        }
    }

    private boolean writable(TestNode on, Path socket) {
        var r = hosts.tryRun("runuser", "-u", "postgres", "--", on.binDir() + "/psql", "-X", "-A", "-t", "-q", "-h",
                socket.toString(), "-p", Integer.toString(on.pgPort()), "-U", "postgres", "-d", "postgres", "-c",
                "select pg_is_in_recovery()");
        return r.ok() && r.output().strip().equals("f");
    }

    private String psql(TestNode on, Path socket, String sql) {
        return hosts.run("runuser", "-u", "postgres", "--", on.binDir() + "/psql", "-X", "-A", "-t", "-q", "-h",
                socket.toString(), "-p", Integer.toString(on.pgPort()), "-U", "postgres", "-d", "postgres", "-c", sql)
                .strip();
    }

    /** Switches to a new WAL segment and waits until the finished one is archived. */
    private void archiveNow(TestNode primary) {
        String segment = cluster.sql(primary, "select pg_walfile_name(pg_switch_wal())");
        for (int i = 0; i < 600; i++) {
            String last = cluster.sql(primary, "select coalesce(last_archived_wal, '') from pg_stat_archiver");
            if (!last.isEmpty() && last.compareTo(segment) >= 0) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(segment + " was not archived within 60 s");
    }

    private static final Pattern PGBACKREST_STAMP = Pattern.compile(
            "^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) P\\d+ +INFO: restore command (begin|end)");
    private static final DateTimeFormatter PGBACKREST_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd "
            + "HH:mm:ss.SSS");

    /** pgBackRest's own record of the options of the restore it ran (its log's "restore command begin" line). */
    private static String restoreOptions(Path logDir) {
        try {
            return Files.readAllLines(logDir.resolve(STANZA + "-restore.log"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains("restore command begin")).reduce((x, y) -> y)
                    .map(l -> l.substring(l.indexOf("begin") + 6)).orElse("?");
        } catch (IOException | UncheckedIOException e) {
            return "?";
        }
    }

    /** When pgBackRest's restore began or ended, from its log (local time), at or after {@code after}. */
    private static Optional<Long> restoreLog(Path logDir, long after, String which) {
        Path file = logDir.resolve(STANZA + "-restore.log");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
        for (String line : lines) {
            Matcher m = PGBACKREST_STAMP.matcher(line);
            if (m.find() && m.group(2).equals(which)) {
                long at = LocalDateTime.parse(m.group(1), PGBACKREST_FORMAT).atZone(ZoneId.systemDefault()).toInstant()
                        .toEpochMilli();
                if (at >= after) {
                    return Optional.of(at);
                }
            }
        }
        return Optional.empty();
    }

    private static void table(String title, String[] labels, List<Timed> runs) {
        System.out.println("  " + title);
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "    %-76s", "step"));
        for (int r = 1; r <= runs.size(); r++) {
            head.append(String.format(Locale.ROOT, "%7s", "#" + r));
        }
        System.out.println(head.append(String.format(Locale.ROOT, "%8s", "median")));
        for (int i = 0; i < labels.length; i++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "    %-76s", labels[i]));
            List<Long> known = new ArrayList<>();
            for (Timed t : runs) {
                long from = t.milestones().get(i);
                long to = t.milestones().get(i + 1);
                boolean ok = from != 0 && to != 0;
                row.append(String.format(Locale.ROOT, "%7s", ok ? Long.toString(to - from) : "?"));
                if (ok) {
                    known.add(to - from);
                }
            }
            row.append(String.format(Locale.ROOT, "%8s", known.isEmpty() ? "?"
                    : String.format(Locale.ROOT, "%.0f", median(known))));
            System.out.println(row);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int m = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2.0;
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static String ms(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }
}
