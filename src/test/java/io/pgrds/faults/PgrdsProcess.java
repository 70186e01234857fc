package io.pgrds.faults;

import io.pgrds.apply.FaultPoint;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * pgrds in a JVM of its own, as an operator runs it, so that a test can SIGKILL it: {@code java -cp <this JVM's
 * class path> io.pgrds.cli.Main ARGS}, with the options {@code bin/pgrds} gives a short-lived CLI, a working
 * directory and stdin of the test's choosing, stdout and stderr captured to files, and optionally a
 * {@linkplain FaultPoint fault point}: the process then writes a file and blocks when it gets there, and
 * {@link #awaitFaultPoint} tells the test that it did.
 *
 * <pre>
 * try (PgrdsProcess p = PgrdsProcess.in(dir).faultPoint(FaultPoint.SWITCHOVER_STOPPED)
 *         .args("--repo", repo, "apply", "--auto-approve").start()) {
 *     assertTrue(p.awaitFaultPoint(Duration.ofSeconds(90)), p::describe);   // the fault MUST have happened
 *     p.kill9();
 * }
 * </pre>
 *
 * Every process started here is killed by {@link #close()}, by {@link #killAll()} (which {@link FaultCluster} calls
 * after every round and class) and, as a backstop, by a JVM shutdown hook: a failed test leaves no pgrds running.
 */
public final class PgrdsProcess implements AutoCloseable {
    private static final Set<PgrdsProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger COUNTER = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(PgrdsProcess::killAll, "pgrds-faults-processes"));
    }

    private final Process process;
    private final List<String> command;
    private final Path out;
    private final Path err;
    private final Optional<Path> faultFile;
    private final Optional<String> faultPoint;
    private final long started = System.nanoTime();

    private PgrdsProcess(Process process, List<String> command, Path out, Path err, Optional<Path> faultFile,
                         Optional<String> faultPoint) {
        this.process = process;
        this.command = command;
        this.out = out;
        this.err = err;
        this.faultFile = faultFile;
        this.faultPoint = faultPoint;
    }

    /** A process whose captured output and fault point file go into {@code dir} (created when missing). */
    public static Builder in(Path dir) {
        return new Builder(dir);
    }

    /** How to start one pgrds process. */
    public static final class Builder {
        private final Path dir;
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>(List.of("-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path workingDirectory;
        private String stdin;
        private String faultPoint;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** The pgrds command line, e.g. {@code "--repo", repo, "apply", "--auto-approve"}. */
        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** Stop at this {@link FaultPoint} (a name from {@link FaultPoint#ALL}) and block there until killed. */
        public Builder faultPoint(String point) {
            if (!FaultPoint.ALL.contains(point)) {
                throw new IllegalArgumentException("no fault point " + point + "; known: " + FaultPoint.ALL);
            }
            this.faultPoint = point;
            return this;
        }

        /** The working directory (default: this JVM's). */
        public Builder workingDirectory(Path directory) {
            this.workingDirectory = directory;
            return this;
        }

        /** Text on stdin, e.g. {@code "yes\n"} to answer apply's question (default: /dev/null). */
        public Builder stdin(String text) {
            this.stdin = text;
            return this;
        }

        /** An environment variable for the process ({@code PGRDS_STATE} is set to {@code dir} unless given). */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** One more JVM option, before the main class. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        public PgrdsProcess start() {
            try {
                Files.createDirectories(dir);
                String tag = "pgrds-" + COUNTER.incrementAndGet();
                Path out = dir.resolve(tag + ".out");
                Path err = dir.resolve(tag + ".err");
                Optional<Path> faultFile = Optional.ofNullable(faultPoint).map(p -> dir.resolve(tag + ".fault"));
                List<String> cmd = new ArrayList<>();
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                cmd.addAll(jvmOptions);
                if (faultPoint != null) {
                    cmd.add("-D" + FaultPoint.PROPERTY + "=" + faultPoint);
                    cmd.add("-D" + FaultPoint.FILE_PROPERTY + "=" + faultFile.orElseThrow());
                }
                cmd.add("-cp");
                cmd.add(System.getProperty("java.class.path"));
                cmd.add("io.pgrds.cli.Main");
                cmd.addAll(args);
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
                if (workingDirectory != null) {
                    pb.directory(workingDirectory.toFile());
                }
                if (stdin == null) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                } else {
                    Path in = dir.resolve(tag + ".in");
                    Files.writeString(in, stdin, StandardCharsets.UTF_8);
                    pb.redirectInput(ProcessBuilder.Redirect.from(in.toFile()));
                }
                pb.environment().put("PGRDS_STATE", dir.resolve("state").toString());
                pb.environment().putAll(env);
                PgrdsProcess p = new PgrdsProcess(pb.start(), List.copyOf(cmd), out, err, faultFile,
                        Optional.ofNullable(faultPoint));
                LIVE.add(p);
                return p;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start pgrds " + args, e);
            }
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /**
     * Waits until the process reached its fault point (the file it writes there appeared): true then; false when
     * it exited first or {@code patience} ran out. A scenario must assert this: a fault scenario that passes
     * because the fault never happened proves nothing.
     */
    public boolean awaitFaultPoint(Duration patience) {
        Path file = faultFile.orElseThrow(() -> new IllegalStateException("started without a fault point"));
        long until = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < until) {
            if (reachedFaultPoint()) {
                return true;
            }
            if (!process.isAlive()) {
                return reachedFaultPoint();
            }
            sleep(20);
        }
        return reachedFaultPoint();
    }

    /** Whether the fault point file is there with this process's pid and the point's name. */
    public boolean reachedFaultPoint() {
        if (faultFile.isEmpty() || !Files.exists(faultFile.get())) {
            return false;
        }
        try {
            String text = Files.readString(faultFile.get(), StandardCharsets.UTF_8).strip();
            return text.equals(process.pid() + " " + faultPoint.orElseThrow());
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until stdout contains {@code text}; false when the process exited without it or time ran out. */
    public boolean awaitOutput(String text, Duration patience) {
        long until = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < until) {
            if (out().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                return out().contains(text);
            }
            sleep(50);
        }
        return out().contains(text);
    }

    /** Waits for the exit and returns its status; fails (and kills the process) when it runs longer. */
    public int awaitExit(Duration patience) {
        try {
            if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                String state = describe();
                kill9();
                throw new AssertionError("pgrds did not exit within " + patience.toSeconds() + " s; killed it\n"
                        + state);
            }
            LIVE.remove(this);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL to the process and everything it started, then waits until they are gone. */
    public void kill9() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no finally, no lock released
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("pgrds process " + process.pid() + " survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        for (ProcessHandle child : children) {
            long until = System.nanoTime() + 10_000_000_000L;
            while (child.isAlive() && System.nanoTime() < until) {
                sleep(10);
            }
        }
        LIVE.remove(this);
    }

    /** SIGSTOP: the process stops where it is (a slow apply, a paused machine) until {@link #resume()}. */
    public void suspend() {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend()}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + ": " + said);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What it printed on stdout so far. */
    public String out() {
        return read(out);
    }

    /** What it printed on stderr so far. */
    public String err() {
        return read(err);
    }

    /** Seconds since it was started. */
    public double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** The command (class path elided), its state, stdout and stderr: for failure messages. */
    public String describe() {
        List<String> shown = new ArrayList<>(command);
        int cp = shown.indexOf("-cp");
        if (cp >= 0 && cp + 1 < shown.size()) {
            shown.set(cp + 1, "…");
        }
        String state = process.isAlive() ? "running (pid " + process.pid() + ")" : "exit " + process.exitValue();
        return "pgrds process: " + String.join(" ", shown) + "\n" + state
                + faultPoint.map(p -> ", fault point " + p + (reachedFaultPoint() ? " reached" : " not reached"))
                .orElse("") + String.format(", %.1f s%n", seconds()) + "--- stdout\n" + out() + "--- stderr\n"
                + tail(err(), 60);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill9();
        }
        LIVE.remove(this);
    }

    /** Kills every pgrds process this JVM started that still runs. */
    public static void killAll() {
        for (PgrdsProcess p : List.copyOf(LIVE)) {
            try {
                p.close();
            } catch (RuntimeException e) {
                System.err.println("pgrds faults: could not kill " + p.pid() + ": " + e.getMessage());
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return all.size() <= lines ? text : "(… " + (all.size() - lines) + " lines)\n"
                + String.join("\n", all.subList(all.size() - lines, all.size())) + "\n";
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
