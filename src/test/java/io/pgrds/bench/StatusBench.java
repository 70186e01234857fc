package io.pgrds.bench;

import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.FleetRepo;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Wall time of {@code bin/pgrds status} as a user sees it, JVM start included, on a 2-node cluster: a real
 * PostgreSQL primary and a streaming standby, each behind its own sshd (the integration test harness), read from
 * a real git fleet repository. Runs the command as a subprocess several times and prints best and median, and the
 * same for {@code bin/pgrds --version} as the raw baseline (JVM start and picocli, no git, SSH or SQL) and for
 * {@code bin/pgrds validate} (JVM, git and loading the fleet, no SSH), so the differences show what reading the
 * fleet and what observing the nodes cost. Target: status under 2 s.
 *
 * <p>Run with {@code bench/status.sh [runs]} (as root: the harness starts sshd).
 */
public final class StatusBench {
    private StatusBench() {
    }

    private record Result(long nanos, int exit, String out, String err) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        // -Dpgrds.bench.launcher=/usr/bin/pgrds times the installed package; -Dpgrds.bench.nodes=3 a bigger cluster
        Path pgrds = Path.of(System.getProperty("pgrds.bench.launcher", "bin/pgrds")).toAbsolutePath();
        int nodes = Integer.getInteger("pgrds.bench.nodes", 2);
        if (pgrds.endsWith(Path.of("bin/pgrds")) && !Files.exists(Path.of("target/pgrds.jar"))) {
            throw new IllegalStateException("target/pgrds.jar is missing: build it with mvn -DskipTests package");
        }
        TestHosts hosts = TestHosts.create(nodes);
        try {
            hosts.start();
            TestNode primary = hosts.node(0);
            hosts.initPrimary(primary);
            for (int i = 1; i < nodes; i++) {
                hosts.cloneStandby(primary, hosts.node(i));
                hosts.awaitStreaming(primary, hosts.node(i));
            }
            FleetRepo fleet = new FleetRepo(hosts.root().resolve("fleet"));
            fleet.commit("bench/status", ClassListTraining.clusterFile(hosts));
            Path cache = hosts.root().resolve("cache");

            List<String> status = List.of(pgrds.toString(), "--repo", fleet.dir().toString(), "status");
            List<String> version = List.of(pgrds.toString(), "--version");
            List<String> validate = List.of(pgrds.toString(), "--repo", fleet.dir().toString(), "validate");
            if (Integer.getInteger("pgrds.bench.hold", 0) > 0) {
                // a cluster to time by hand: print the command and keep the nodes up for that many seconds
                System.out.println("PGRDS_CACHE=" + cache + " " + String.join(" ", status));
                Thread.sleep(Integer.getInteger("pgrds.bench.hold") * 1000L);
                return;
            }
            Result first = run(status, cache);
            if (first.exit() != 0) {
                throw new IllegalStateException("pgrds status did not report a healthy cluster (exit " + first.exit()
                        + "):\n" + first.out() + first.err());
            }
            run(version, cache); // page cache and CDS archive warm, as for a user's second command

            long[] statusNanos = new long[runs];
            long[] versionNanos = new long[runs];
            long[] validateNanos = new long[runs];
            String stderr = "";
            for (int i = 0; i < runs; i++) {
                Result s = run(status, cache);
                if (s.exit() != 0) {
                    throw new IllegalStateException("pgrds status failed on run " + (i + 1) + ":\n" + s.out() + s.err());
                }
                stderr = s.err().isEmpty() ? stderr : s.err();
                statusNanos[i] = s.nanos();
                versionNanos[i] = run(version, cache).nanos();
                validateNanos[i] = run(validate, cache).nanos();
            }

            System.out.printf("pgrds status benchmark: %s as a subprocess (JVM start included), a primary and %d "
                    + "streaming standby(s) each behind its own sshd on loopback; best / median of %d runs%n", pgrds,
                    nodes - 1, runs);
            System.out.printf("  pgrds --version (baseline: JVM + CLI start): %6.0f ms / %6.0f ms%n",
                    best(versionNanos), median(versionNanos));
            System.out.printf("  pgrds validate (JVM + git + loading):        %6.0f ms / %6.0f ms%n",
                    best(validateNanos), median(validateNanos));
            System.out.printf("  pgrds status (" + nodes + " nodes):                  %6.0f ms / %6.0f ms   (%+.0f ms over the "
                    + "baseline, %+.0f ms over validate: SSH, probe and SQL; median)%n", best(statusNanos),
                    median(statusNanos), median(statusNanos) - median(versionNanos),
                    median(statusNanos) - median(validateNanos));
            System.out.printf("  target: status under 2000 ms: %s%n", median(statusNanos) < 2000 ? "met" : "NOT met");
            System.out.println("  last output:");
            first.out().lines().forEach(l -> System.out.println("    " + l));
            if (!stderr.isEmpty()) {
                System.out.println("  stderr of a status run (should be empty):");
                stderr.lines().forEach(l -> System.out.println("    " + l));
            }
        } finally {
            hosts.close();
        }
    }

    private static Result run(List<String> argv, Path cache) throws Exception {
        Path out = Files.createTempFile("pgrds-bench", ".out");
        Path err = Files.createTempFile("pgrds-bench", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("PGRDS_CACHE", cache.toString());
            pb.environment().remove("PGRDS_REPO");
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish in 60 s");
            }
            long nanos = System.nanoTime() - t0;
            return new Result(nanos, p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static double best(long[] nanos) {
        return Arrays.stream(nanos).min().orElseThrow() / 1e6;
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return (sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0) / 1e6;
    }
}
