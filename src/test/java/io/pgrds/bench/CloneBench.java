package io.pgrds.bench;

import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.util.Units;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * How long pgrds takes to add a standby next to what the copy itself costs. A primary that pgrds created on one
 * harness node is filled with {@code pgbench -i -s SCALE} (70 by default: about 1 GB); then, in each of ROUNDS
 * rounds (4 by default; which goes first alternates), timed:
 * <ol>
 *   <li>raw: {@code pg_basebackup -X stream -c fast} (as pgrds runs it: as postgres, user replicator with the
 *       cluster's passfile) into an empty directory on the other node;</li>
 *   <li>pgrds: the second node added to the cluster file (in later rounds: wiped, which plans the same clone
 *       action), then {@code pgrds apply --auto-approve} in this JVM; the clone action's time is read from the apply
 *       output (each line time-stamped as printed), with the apply's own {@code ✓ clone standby ... (N s)} line
 *       shown as printed.</li>
 * </ol>
 * Dirty pages are written back ({@code sync}) before each timed copy, so none pays for the one before. The clone
 * action also writes the configuration, starts the standby and waits until it streams; the breakdown shows those
 * parts (from the apply output and the new standby's PostgreSQL log). Target: medians at most 1.1× raw.
 *
 * <p>Run with {@code bench/clone.sh [scale] [rounds]} or {@code SCALE=10 ROUNDS=1 bench/clone.sh}.
 */
public final class CloneBench {
    private static final double TARGET_RATIO = 1.1;
    private static final Duration LONG = Duration.ofMinutes(30);

    private final TestHosts hosts;
    private final BenchCluster cluster;
    private final int scale;
    private final int rounds;

    private CloneBench(TestHosts hosts, Path work, int scale, int rounds) {
        this.hosts = hosts;
        this.cluster = new BenchCluster(hosts, work.resolve("fleet"));
        this.scale = scale;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        String given = args.length > 0 ? args[0] : System.getenv().getOrDefault("SCALE", "70");
        int scale = Integer.parseInt(given.strip());
        int rounds = Integer.parseInt((args.length > 1 ? args[1] : System.getenv().getOrDefault("ROUNDS", "4"))
                .strip());
        BenchCluster.quietSshj();
        Path work = Files.createTempDirectory("pgrds-bench-clone-");
        TestHosts hosts = TestHosts.create(2);
        try {
            hosts.start();
            new CloneBench(hosts, work, scale, rounds).run();
        } finally {
            hosts.close();
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void run() throws IOException {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        cluster.commit(List.of(a), a.name());
        long t = System.nanoTime();
        cluster.apply();
        System.out.printf(Locale.ROOT, "primary created by pgrds apply on %s in %.1f s%n", a, (System.nanoTime() - t)
                / 1e9);

        t = System.nanoTime();
        BenchCluster.run(LONG, "runuser", "-u", "postgres", "--", a.binDir() + "/pgbench", "-i", "-q", "-s",
                Integer.toString(scale), "-h", BenchCluster.socket(a), "-p", Integer.toString(a.pgPort()), "postgres");
        double loadSeconds = (System.nanoTime() - t) / 1e9;
        cluster.sql(a, "checkpoint"); // so that no clone pays for flushing the load
        String[] sizes = cluster.sql(a, "select pg_database_size('postgres'), sum(pg_database_size(oid))::bigint "
                + "from pg_database").split("\\|");
        long dbSize = Long.parseLong(sizes[0]);
        long allSize = Long.parseLong(sizes[1]);
        System.out.printf(Locale.ROOT, "loaded with pgbench -i -s %d in %.1f s: database postgres %s (%d bytes), all "
                + "databases %s%n", scale, loadSeconds, Units.bytes(dbSize), dbSize, Units.bytes(allSize));

        Path rawDir = b.dir().resolve("raw-clone");
        List<Long> raws = new ArrayList<>();
        List<Long> clones = new ArrayList<>();
        List<List<Long>> breakdowns = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            boolean rawFirst = round % 2 == 1; // alternate, so that neither always follows the other
            long raw = rawFirst ? rawClone(a, rawDir) : 0;
            Clone clone = pgrdsClone(round, a, b);
            raw = rawFirst ? raw : rawClone(a, rawDir);
            raws.add(raw);
            clones.add(clone.millis());
            breakdowns.add(clone.milestones());
            System.out.printf(Locale.ROOT, "  round %d (%s first): raw pg_basebackup %s; pgrds clone action %s (apply "
                    + "printed: %s; whole apply %s)%n", round, rawFirst ? "raw" : "pgrds", ms(raw), ms(clone.millis()),
                    clone.printed(), ms(clone.applyMillis()));
        }

        double raw = median(raws);
        double pgrds = median(clones);
        double ratio = pgrds / raw;
        System.out.println();
        System.out.printf(Locale.ROOT, "pgrds clone benchmark: pgbench scale %d, %s in the database, from %s to %s "
                + "(sshd + PostgreSQL 15 each, one disk), %d rounds%n", scale, Units.bytes(dbSize), a, b, rounds);
        System.out.printf(Locale.ROOT, "  raw pg_basebackup -X stream -c fast:  median %s  (%s)%n", ms(Math.round(raw)),
                String.join(", ", raws.stream().map(CloneBench::ms).toList()));
        System.out.printf(Locale.ROOT, "  pgrds clone standby action:          median %s  (%s)  %.0f MiB/s%n",
                ms(Math.round(pgrds)), String.join(", ", clones.stream().map(CloneBench::ms).toList()),
                dbSize / 1048576.0 / (pgrds / 1000.0));
        List<Double> paired = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            paired.add((double) clones.get(i) / raws.get(i));
        }
        double pairedMedian = medianOf(paired);
        System.out.printf(Locale.ROOT, "  ratio pgrds / raw (medians): %.2f×  (target: at most %.1f×)%s%n", ratio,
                TARGET_RATIO, ratio <= TARGET_RATIO ? "" : "  TARGET MISSED");
        System.out.printf(Locale.ROOT, "  ratio round by round: %s; median %.2f×%s%n", String.join(", ", paired.stream()
                .map(r -> String.format(Locale.ROOT, "%.2f×", r)).toList()), pairedMedian,
                pairedMedian <= TARGET_RATIO ? "" : "  (above the target)");
        List<Long> outside = new ArrayList<>();
        List<Long> ownOnly = new ArrayList<>();
        for (List<Long> m : breakdowns) {
            if (m.stream().allMatch(v -> v != 0)) {
                outside.add(m.get(1) - m.get(0) + m.get(6) - m.get(2));
                ownOnly.add(m.get(1) - m.get(0) + m.get(6) - m.get(4));
            }
        }
        if (!outside.isEmpty()) {
            System.out.printf(Locale.ROOT, "  the clone action beyond pg_basebackup: median %s (the standby starting "
                    + "and connecting, which any new standby needs, and pgrds's own steps: median %s)%n",
                    ms(Math.round(median(outside))), ms(Math.round(median(ownOnly))));
        }
        System.out.println("  inside the pgrds clone action (ms, from the apply output and the standby's log):");
        String[] labels = {
            "prepare: directories, secrets, creating flag, size query",
            "pg_basebackup (progress every 3 s) + config files",
            "pg_ctl start until ready (recovery to consistency)",
            "ready → WAL receiver streaming",
            "streaming → pgrds sees it (polls every 200 ms)",
            "→ action done",
        };
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "    %-58s", "step"));
        for (int r = 1; r <= rounds; r++) {
            head.append(String.format(Locale.ROOT, "%7s", "#" + r));
        }
        System.out.println(head.append(String.format(Locale.ROOT, "%8s", "median")));
        for (int i = 0; i < labels.length; i++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "    %-58s", labels[i]));
            List<Long> known = new ArrayList<>();
            for (List<Long> m : breakdowns) {
                long from = m.get(i);
                long to = m.get(i + 1);
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

    private static double medianOf(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int m = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2.0;
    }

    private static double median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int m = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2.0;
    }

    /** One clone by pgrds; milestones (wall-clock ms, 0 when not found) as the breakdown's rows need them. */
    private record Clone(long millis, long applyMillis, String printed, List<Long> milestones) {
    }

    /** The node added to the file (first round) or wiped (later rounds), then pgrds apply: the same clone action. */
    private Clone pgrdsClone(int round, TestNode a, TestNode b) {
        if (round == 1) {
            cluster.commit(List.of(a, b), a.name());
        } else {
            hosts.reset(b);
            hosts.run("rm", "-rf", b.dataDirectory() + ".pgrds");
        }
        hosts.run("sync"); // no copy pays for writing back the one before
        BenchCluster.Applied applied = cluster.apply();
        String done = applied.line("✓ clone standby").orElseThrow(() -> new IllegalStateException(
                "apply did not clone " + b + ":\n" + applied.text()));
        long start = applied.out().stream().filter(l -> l.text().contains("clone standby") && l.text().endsWith("…"))
                .map(BenchCluster.Line::millis).findFirst().orElseThrow();
        long end = applied.at("✓ clone standby").orElseThrow();
        List<Long> milestones = List.of(start, applied.at("pg_basebackup from").orElse(0L),
                BenchCluster.logged(b, start, "starting PostgreSQL").orElse(0L),
                BenchCluster.logged(b, start, "ready to accept read-only connections").orElse(0L),
                BenchCluster.logged(b, start, "started streaming WAL").orElse(0L),
                applied.at(b.name() + ": streaming from").orElse(0L), end);
        return new Clone(end - start, applied.endMillis() - applied.startMillis(), done.substring(done.indexOf('✓')),
                milestones);
    }

    /** pg_basebackup exactly as pgrds runs it, locally as postgres; the time in ms. Removes the copy after. */
    private long rawClone(TestNode from, Path dir) {
        hosts.run("rm", "-rf", dir.toString());
        hosts.run("sync"); // no copy pays for writing back the one before
        long t = System.nanoTime();
        BenchCluster.run(LONG, "runuser", "-u", "postgres", "--", "env", "PGPASSFILE="
                + BenchCluster.secret(from, "pgpass"), from.binDir() + "/pg_basebackup", "-h", from.address(), "-p",
                Integer.toString(from.pgPort()), "-U", "replicator", "-D", dir.toString(), "-X", "stream", "-c",
                "fast", "--no-password", "--label=raw clone for the benchmark");
        long took = (System.nanoTime() - t) / 1_000_000;
        hosts.run("rm", "-rf", dir.toString());
        return took;
    }

    private static String ms(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }
}
