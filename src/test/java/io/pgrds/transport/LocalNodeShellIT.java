package io.pgrds.transport;

import io.pgrds.transport.target.Become;
import io.pgrds.desired.NodeSpec;
import io.pgrds.transport.target.SshSettings;
import io.pgrds.transport.target.Transport;
import io.pgrds.transport.NodeShell.Endpoint;
import io.pgrds.transport.NodeShell.Exec;
import io.pgrds.transport.NodeShell.ExecResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LocalNodeShell} with real processes and OS users (needs root and a postgres user, like the other ITs). */
class LocalNodeShellIT {
    @TempDir
    Path tmp;

    private static LocalNodeShell shell(Become become) {
        return new LocalNodeShell(become, Duration.ofSeconds(30));
    }

    @Test
    void execReturnsExitStatusStdoutAndStderrAndFeedsStdin() {
        try (NodeShell shell = shell(Become.RUNUSER)) {
            assertEquals(new ExecResult(3, "out\n", "err\n"),
                    shell.exec(Exec.of("sh", "-c", "echo out; echo err >&2; exit 3")));
            assertEquals(new ExecResult(0, "a 'b' $(c)\n", ""),
                    shell.exec(Exec.of("cat").withStdin("a 'b' $(c)\n".getBytes(StandardCharsets.UTF_8))));
            assertEquals("0\n", shell.exec(Exec.of("wc", "-c")).stdout(), "no stdin is an empty stdin, not a hang");
        }
    }

    @Test
    void streamsMegabytesThroughStdinStdoutAndStderrAtOnceWithoutDeadlock() {
        byte[] input = new byte[3 * 1024 * 1024];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) ('a' + i % 26);
        }
        try (NodeShell shell = shell(Become.RUNUSER)) {
            ExecResult result = shell.exec(Exec.of("tee", "/dev/stderr").withStdin(input));
            assertEquals(0, result.exitCode());
            assertArrayEquals(input, result.stdout().getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(input, result.stderr().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aProgramThatCannotBeStartedEndsLikeInAShell() throws IOException {
        Path notExecutable = Files.writeString(tmp.resolve("script"), "#!/bin/sh\n");
        try (NodeShell shell = shell(Become.RUNUSER)) {
            ExecResult missing = shell.exec(Exec.of("/nonexistent/bin/initdb", "--version"));
            assertEquals(127, missing.exitCode());
            assertTrue(missing.stderr().contains("/nonexistent/bin/initdb"), missing.stderr());
            assertEquals(126, shell.exec(Exec.of(notExecutable.toString())).exitCode());
            // runuser (and sudo) report a program they cannot start with status 1, not 127
            ExecResult asPostgres = shell.exec(Exec.asPostgres("/nonexistent/bin/initdb"));
            assertEquals(1, asPostgres.exitCode());
            assertTrue(asPostgres.stderr().contains("/nonexistent/bin/initdb"), asPostgres.stderr());
        }
    }

    @Test
    void commandsRunInTheRootDirectory() {
        try (NodeShell shell = shell(Become.RUNUSER)) {
            assertEquals("/\n", shell.exec(Exec.of("pwd")).stdout());
            assertEquals("/\n", shell.exec(Exec.asPostgres("pwd")).stdout());
        }
    }

    @Test
    void asPostgresRunsAsThePostgresUserWithRunuserAndWithSudo() {
        for (Become become : List.of(Become.RUNUSER, Become.SUDO)) {
            try (NodeShell shell = shell(become)) {
                assertEquals("root\n", shell.exec(Exec.of("id", "-un")).stdout(), become.name());
                assertEquals("postgres\n", shell.exec(Exec.asPostgres("id", "-un")).stdout(), become.name());
            }
        }
    }

    @Test
    void aCommandThatOutlivesItsTimeoutIsKilledWithEverythingItStarted() throws Exception {
        try (NodeShell shell = shell(Become.RUNUSER)) {
            long start = System.nanoTime();
            TransportException e = assertThrows(TransportException.class, () -> shell.exec(
                    Exec.of("sh", "-c", "sleep 38.1 & sleep 38.2; wait").withTimeout(Duration.ofSeconds(1))));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().startsWith("command `sh -c 'sleep 38.1 & sleep 38.2; wait'` timed out after"
                    + " 1s on local"), e.getMessage());
            assertTrue(tookMs < 4_000, "gave up after " + tookMs + " ms");
            assertNoProcess("sleep 38.1");
            assertNoProcess("sleep 38.2");

            TransportException asPostgres = assertThrows(TransportException.class, () -> shell.exec(
                    new Exec(List.of("sleep", "38.3"), true, null, Duration.ofSeconds(1))));
            assertTrue(asPostgres.getMessage().contains("timed out after 1s"), asPostgres.getMessage());
            assertNoProcess("sleep 38.3");
        }
    }

    @Test
    void aBackgroundProcessThatKeepsTheOutputOpenDoesNotHoldTheCommand() throws Exception {
        try (NodeShell shell = shell(Become.RUNUSER)) {
            long start = System.nanoTime();
            ExecResult result = shell.exec(Exec.of("sh", "-c", "sleep 38.4 & echo started")
                    .withTimeout(Duration.ofSeconds(10)));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(new ExecResult(0, "started\n", ""), result);
            assertTrue(tookMs < 3_000, "took " + tookMs + " ms");
        } finally {
            new ProcessBuilder("pkill", "-f", "-x", "sleep 38.4").start().waitFor();
        }
    }

    @Test
    void writeFileSetsContentOwnerAndModeAndReplacesTheFileAtomically() throws Exception {
        Path dir = tmp.resolve("node dir");
        Files.createDirectory(dir);
        Path file = dir.resolve("pgrds 'x'.conf");
        try (NodeShell shell = shell(Become.RUNUSER)) {
            shell.writeFile(file.toString(), "first\n".getBytes(StandardCharsets.UTF_8), "postgres", 0600);
            assertEquals("postgres postgres 600", stat(file));
            assertEquals("first\n", Files.readString(file));

            shell.writeFile(file.toString(), "second\n".getBytes(StandardCharsets.UTF_8), "root", 0644);
            assertEquals("root root 644", stat(file));
            assertEquals("second\n", Files.readString(file));
        }
        try (var entries = Files.list(dir)) {
            assertEquals(List.of(file), entries.toList(), "no temporary file left behind");
        }
    }

    @Test
    void writeFileIntoAMissingDirectoryFailsWithTheReason() {
        try (NodeShell shell = shell(Become.RUNUSER)) {
            TransportException e = assertThrows(TransportException.class, () -> shell.writeFile(
                    tmp.resolve("missing/file").toString(), new byte[] {1}, "postgres", 0600));
            assertTrue(e.getMessage().startsWith("writing " + tmp.resolve("missing/file")), e.getMessage());
        }
    }

    @Test
    void writeFileRefusesARelativePathAndAModeBeyondPermissionBits() {
        try (NodeShell shell = shell(Become.RUNUSER)) {
            assertThrows(IllegalArgumentException.class, () -> shell.writeFile("relative", new byte[0], "root", 0600));
            assertThrows(IllegalArgumentException.class, () -> shell.writeFile(tmp.resolve("f").toString(), new byte[0],
                    "root", 04755));
        }
    }

    @Test
    void aTunnelIsTheTargetItself() {
        try (NodeShell shell = shell(Become.RUNUSER)) {
            assertEquals(new Endpoint("127.0.0.10", 5432), shell.tunnel("127.0.0.10", 5432));
        }
    }

    @Test
    void theFactoryOpensALocalShellThatIgnoresHostAndSsh() {
        NodeSpec spec = new NodeSpec("n", "unreachable.invalid", new SshSettings("nobody", 1, Optional.of("/nope"),
                Optional.of("/nope"), Become.RUNUSER), "/usr/lib/postgresql/15/bin", "/nonexistent", 5432);
        try (NodeShell shell = NodeShells.open(Transport.LOCAL, spec, ShellOptions.defaults())) {
            assertEquals("local", shell.describe());
            assertEquals("postgres\n", shell.exec(Exec.asPostgres("id", "-un")).stdout());
        }
    }

    private static String stat(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%U %G %a", file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out;
    }

    private static void assertNoProcess(String commandLine) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (new ProcessBuilder("pgrep", "-f", "-x", commandLine).start().waitFor() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("`" + commandLine + "` still runs after the timeout");
            }
            Thread.sleep(20);
        }
    }

}
