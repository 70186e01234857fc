package io.pgrds.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a raw command on this machine for the harness, independent of pgrds's shells. Output (stdout and
 * stderr together) goes to a temporary file, so a daemon that inherits it (pg_ctl's postmaster, sshd) can
 * never make the harness wait.
 */
public final class Cmd {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    public record Result(List<String> argv, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        public String describe() {
            return "`" + String.join(" ", argv) + "` exited " + exitCode + (output.isEmpty() ? "" : ":\n" + output);
        }
    }

    private Cmd() {
    }

    /** Runs {@code argv} as the postgres OS user (via runuser) and fails unless it exits 0. */
    static String asPostgres(String... argv) {
        return check(run(DEFAULT_TIMEOUT, postgres(List.of(argv))));
    }

    /** Runs {@code argv} as the current user and fails unless it exits 0. */
    static String ok(String... argv) {
        return check(run(DEFAULT_TIMEOUT, List.of(argv)));
    }

    static List<String> postgres(List<String> argv) {
        List<String> all = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        all.addAll(argv);
        return all;
    }

    static String check(Result result) {
        if (!result.ok()) {
            throw new IllegalStateException(result.describe());
        }
        return result.output;
    }

    static Result run(Duration timeout, List<String> argv) {
        Path out = null;
        try {
            out = Files.createTempFile("pgrds-harness-cmd", ".out");
            Process process = new ProcessBuilder(argv)
                    .directory(new File("/"))
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("harness command timed out after " + timeout + ": " + argv);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            return new Result(List.copyOf(argv), process.exitValue(), text);
        } catch (IOException e) {
            throw new UncheckedIOException("harness command failed to start: " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + argv, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a stray temp file is harmless
                }
            }
        }
    }
}
