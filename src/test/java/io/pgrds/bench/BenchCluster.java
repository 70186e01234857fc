package io.pgrds.bench;

import io.pgrds.cli.Main;
import io.pgrds.cli.Terminal;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.FleetRepo;
import io.pgrds.testing.HarnessCluster;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the apply benchmarks share: one cluster on harness nodes described in a real fleet repository, pgrds run
 * in this JVM with every output line time-stamped as it is printed, SQL through a managed node's own socket, raw
 * commands with a timeout of our choosing, and the time-stamped lines of a node's PostgreSQL log.
 */
final class BenchCluster {
    static final String ID = "bench/apply";

    private final TestHosts hosts;
    private final FleetRepo fleet;

    /**
     * sshj logs ERRORs and WARNs with stack traces when pgrds closes an SSH connection while a connection tunnelled
     * through it is still closing (after observing). They say nothing about the figures, so the benchmarks keep
     * sshj's logging out of their output (the new-JVM runs of the switchover benchmark count those lines).
     */
    static void quietSshj() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("net.schmizz"))
                .setLevel(ch.qos.logback.classic.Level.OFF);
    }

    private String become = "runuser";

    BenchCluster(TestHosts hosts, Path repo) {
        this.hosts = hosts;
        this.fleet = new FleetRepo(repo);
    }

    /** How pgrds acts as postgres on the nodes ({@code runuser}, the harness's default, or {@code sudo}). */
    BenchCluster become(String how) {
        this.become = how;
        return this;
    }

    /** Commits the cluster file: these nodes, this primary pin, pgrds's defaults otherwise. */
    void commit(List<TestNode> nodes, String primary) {
        StringBuilder y = new StringBuilder(HarnessCluster.yaml(hosts, nodes, "max_connections: 50")
                .replace("become: runuser", "become: " + become));
        y.append("primary: ").append(primary).append('\n');
        y.append("service: {name: bench.example}\n");
        fleet.commit(ID, y.toString());
    }

    /** Commits another cluster's file into the same fleet repository (a restore's source, say). */
    void commit(String id, String yaml) {
        fleet.commit(id, yaml);
    }

    /** {@code pgrds apply --auto-approve} in this JVM; fails unless it exits 0. */
    Applied apply() {
        return pgrds("apply", "--auto-approve");
    }

    /** Any pgrds command on the fleet repository, in this JVM, output time-stamped; fails unless it exits 0. */
    Applied pgrds(String... args) {
        Lines out = new Lines();
        StringWriter err = new StringWriter();
        List<String> argv = new ArrayList<>(List.of("--repo", fleet.dir().toString()));
        argv.addAll(List.of(args));
        long start = System.currentTimeMillis();
        int exit = Main.run(new Terminal(new PrintWriter(out, true), new PrintWriter(err, true), false, false),
                argv.toArray(new String[0]));
        long end = System.currentTimeMillis();
        Applied a = new Applied(exit, out.lines(), err.toString(), start, end);
        if (exit != 0) {
            throw new IllegalStateException("pgrds " + String.join(" ", args) + " exited " + exit + ":\n" + a.text()
                    + err);
        }
        return a;
    }

    /**
     * {@code pgrds apply --auto-approve} as an operator runs it: {@code java -jar target/pgrds.jar} in a new JVM
     * (cold: nothing loaded, nothing compiled), each stdout line time-stamped as it arrives; fails unless it exits 0.
     */
    Applied applyInNewJvm() {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = System.getProperty("pgrds.jar", "target/pgrds.jar");
        Path err = null;
        try {
            err = Files.createTempFile("pgrds-bench", ".err");
            long start = System.currentTimeMillis();
            Process p = new ProcessBuilder(java, "-jar", jar, "--repo", fleet.dir().toString(), "apply",
                    "--auto-approve").redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            List<Line> lines = new ArrayList<>();
            try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(new Line(System.currentTimeMillis(), line));
                }
            }
            int exit = p.waitFor();
            long end = System.currentTimeMillis();
            Applied a = new Applied(exit, lines, Files.readString(err, StandardCharsets.UTF_8), start, end);
            if (exit != 0) {
                throw new IllegalStateException("java -jar " + jar + " apply exited " + exit + ":\n" + a.text() + a.err());
            }
            return a;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (err != null) {
                err.toFile().delete();
            }
        }
    }

    /** One run of pgrds apply: its output lines with the wall-clock time each was printed. */
    record Applied(int exit, List<Line> out, String err, long startMillis, long endMillis) {
        String text() {
            StringBuilder s = new StringBuilder();
            out.forEach(l -> s.append(l.text()).append('\n'));
            return s.toString();
        }

        /** The time of the first line that contains {@code text}. */
        Optional<Long> at(String text) {
            return out.stream().filter(l -> l.text().contains(text)).map(Line::millis).findFirst();
        }

        Optional<String> line(String text) {
            return out.stream().map(Line::text).filter(l -> l.contains(text)).findFirst();
        }
    }

    record Line(long millis, String text) {
    }

    /** SQL on a node pgrds manages, through its own socket, as postgres; the unaligned tuples-only output. */
    String sql(TestNode n, String sql) {
        return hosts.run("runuser", "-u", "postgres", "--", n.binDir() + "/psql", "-X", "-A", "-t", "-q", "-v",
                "ON_ERROR_STOP=1", "-h", socket(n), "-p", Integer.toString(n.pgPort()), "-U", "postgres", "-d",
                "postgres", "-c", sql).strip();
    }

    static String socket(TestNode n) {
        return n.dataDirectory() + ".pgrds/run";
    }

    static Path serverLog(TestNode n) {
        return Path.of(n.dataDirectory() + ".pgrds/postgresql.log");
    }

    static Path secret(TestNode n, String file) {
        return Path.of(n.dataDirectory() + ".pgrds/secrets/" + file);
    }

    /**
     * Runs a raw command as root with a timeout of our choosing (the harness's is 2 minutes); output goes to a
     * file, so a daemon it starts can never hold us up. Fails unless it exits 0; returns the output.
     */
    static String run(Duration timeout, String... argv) {
        Path out = null;
        try {
            out = Files.createTempFile("pgrds-bench", ".out");
            Process p = new ProcessBuilder(argv).directory(new File("/")).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", argv));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("`" + String.join(" ", argv) + "` exited " + p.exitValue() + ":\n"
                        + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    // ---- PostgreSQL's own clock: the default log_line_prefix '%m [%p] ' stamps every line to the millisecond ----

    private static final Pattern STAMP = Pattern.compile(
            "^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) (\\S+) \\[\\d+\\]");
    private static final DateTimeFormatter STAMP_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    /** The wall-clock time of the first line of the node's server log at or after {@code after} that matches. */
    static Optional<Long> logged(TestNode n, long after, Predicate<String> matches) {
        return logged(serverLog(n), after, matches);
    }

    /** The same for a server log anywhere (a PostgreSQL started by hand). */
    static Optional<Long> logged(Path log, long after, Predicate<String> matches) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
        for (String line : lines) {
            Matcher m = STAMP.matcher(line);
            if (!m.find() || !matches.test(line)) {
                continue;
            }
            try {
                long t = LocalDateTime.parse(m.group(1), STAMP_FORMAT).atZone(ZoneId.of(m.group(2), ZoneId.SHORT_IDS))
                        .toInstant().toEpochMilli();
                if (t >= after) {
                    return Optional.of(t);
                }
            } catch (RuntimeException e) {
                return Optional.empty(); // a log_line_prefix or zone we do not read: no breakdown, figures still stand
            }
        }
        return Optional.empty();
    }

    static Optional<Long> logged(TestNode n, long after, String text) {
        return logged(n, after, l -> l.contains(text));
    }

    /** Collects what is printed line by line, stamping each line with the time its end was written. */
    private static final class Lines extends Writer {
        private final StringBuilder current = new StringBuilder();
        private final List<Line> lines = new ArrayList<>();

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    lines.add(new Line(System.currentTimeMillis(), current.toString()));
                    current.setLength(0);
                } else {
                    current.append(buf[i]);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        synchronized List<Line> lines() {
            List<Line> all = new ArrayList<>(lines);
            if (!current.isEmpty()) {
                all.add(new Line(System.currentTimeMillis(), current.toString()));
            }
            return all;
        }
    }
}
