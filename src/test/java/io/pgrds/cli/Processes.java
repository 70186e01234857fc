package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command as an operator would, for the tests of the packaged files: exit status, stdout, stderr. */
final class Processes {
    private Processes() {
    }

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** The command in {@code cwd} with these environment variables set (a null value removes one), stdin empty. */
    static Run run(Path cwd, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Path out = Files.createTempFile("pgrds-out", ".txt");
        Path err = Files.createTempFile("pgrds-err", ".txt");
        try {
            Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                assertTrue(false, String.join(" ", command) + " did not finish in 120 s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Run run(Path cwd, String... command) throws IOException, InterruptedException {
        return run(cwd, Map.of(), List.of(command));
    }
}
