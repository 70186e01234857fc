package io.pgrds.cli;

import io.pgrds.error.ErrorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as a user runs it, against real git repositories on disk. */
class CliIT {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run pgrds(Path cwd, String... args) throws IOException, InterruptedException {
        return pgrds(cwd, java.util.Map.of(), args);
    }

    /** The packaged jar with these environment variables set (a null value removes one). */
    static Run pgrds(Path cwd, java.util.Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", System.getProperty("pgrds.jar", "target/pgrds.jar")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("PGRDS_CACHE", cwd.resolve(".cache").toString());
        pb.environment().remove("PGRDS_REPO");
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Path out = Files.createTempFile("pgrds-out", ".txt");
        Path err = Files.createTempFile("pgrds-err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pgrds did not finish in 60 s");
        Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    private Path fleet(String clusterYaml) throws Exception {
        Path repo = tmp.resolve("fleet");
        Files.createDirectories(repo.resolve("clusters/orderdata"));
        Files.writeString(repo.resolve("clusters/orderdata/integration.yaml"), clusterYaml, StandardCharsets.UTF_8);
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern("clusters").call();
            git.commit().setMessage("fleet").setAuthor("t", "t@localhost").setCommitter("t", "t@localhost").call();
        }
        return repo;
    }

    private static void assertNoStackTrace(Run r) {
        assertFalse(r.err().contains("\tat ") || r.out().contains("\tat "), "stack trace printed:\n" + r.err());
        assertFalse(r.err().contains("Exception"), "exception printed:\n" + r.err());
    }

    @Test
    void validatePrintsEachClusterWithItsNodesAndExitsZero() throws Exception {
        Path repo = fleet("nodes:\n  - {host: a.example.com, name: pg1}\n  - {host: b.example.com, name: pg2}\n"
                + "primary: pg2\n");
        Run r = pgrds(tmp, "--repo", repo.toString(), "validate");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s)pgrds validate — commit [0-9a-f]{7} \\(HEAD\\)\n\n"
                + "orderdata/integration  ssh    2 nodes  pg1, pg2 \\(pinned primary\\)\n\n"
                + "✓ 1 cluster, 2 nodes: valid.\n"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void validateListsEveryProblemAndExitsOneWithoutAStackTrace() throws Exception {
        Path repo = fleet("nodes:\n  - {hots: a.example.com}\nprimray: x\n");
        Run r = pgrds(tmp, "--repo", repo.toString(), "validate");
        assertEquals(ErrorCode.INVALID_DESIRED_STATE.exitCode(), r.exit());
        assertTrue(r.out().contains("clusters/orderdata/integration.yaml:2:6: UNKNOWN_KEY at /nodes/0/hots: unknown "
                + "key \"hots\"; did you mean \"host\"?"), r.out());
        assertTrue(r.out().contains("clusters/orderdata/integration.yaml:3:1: UNKNOWN_KEY at /primray"), r.out());
        assertTrue(r.out().contains("3 problems in 1 file. Nothing was changed."), r.out());
        assertNoStackTrace(r);
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheCommand() throws Exception {
        Path repo = fleet("nodes: [{host: a.example.com}]\n");
        assertEquals(0, pgrds(tmp, "validate", "--repo", repo.toString()).exit());
        assertEquals(0, pgrds(repo, "validate").exit(), "defaults to the current directory");
    }

    @Test
    void aMissingRepositoryIsAClearErrorNotAStackTrace() throws Exception {
        Run r = pgrds(tmp, "--repo", tmp.resolve("nope").toString(), "validate");
        assertEquals(ErrorCode.SOURCE_UNAVAILABLE.exitCode(), r.exit());
        assertTrue(r.err().startsWith("error [SOURCE_UNAVAILABLE]: "), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void debugShowsTheStackTrace() throws Exception {
        Run r = pgrds(tmp, "--debug", "--repo", tmp.resolve("nope").toString(), "validate");
        assertEquals(ErrorCode.SOURCE_UNAVAILABLE.exitCode(), r.exit());
        assertTrue(r.err().contains("\tat io.pgrds."), r.err());
    }

    @Test
    void theErrorContractHoldsForThePackagedJar() throws Exception {
        Path repo = fleet("ssh: {port: 1}\nnodes:\n  - {host: 127.0.0.1}\n");
        String r0 = repo.toString();
        record Case(ErrorCode code, String[] args) {
        }
        List<Case> cases = List.of(
                new Case(ErrorCode.IO, new String[] {"--repo", r0, "apply", "./missing.plan", "--auto-approve"}),
                new Case(ErrorCode.USAGE, new String[] {"--repo", r0, "history", "orderdata/integration", "--limit",
                        "-1"}),
                new Case(ErrorCode.USAGE, new String[] {"--repo", r0, "status", "--timeout", "-1"}),
                new Case(ErrorCode.USAGE, new String[] {"--repo", r0, "credentials", "orderdata"}));
        for (Case c : cases) {
            Run r = pgrds(tmp, c.args());
            assertEquals(c.code().exitCode(), r.exit(), String.join(" ", c.args()) + ": " + r);
            assertTrue(r.err().startsWith("error [" + c.code() + "]: "), String.join(" ", c.args()) + ": " + r.err());
            assertNoStackTrace(r);
        }
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Run r = pgrds(tmp, "--repo", r0, "daemon", "--http", "127.0.0.1:" + busy.getLocalPort());
            assertEquals(ErrorCode.IO.exitCode(), r.exit(), r.toString());
            assertTrue(r.err().startsWith("error [IO]: Unable to listen on 127.0.0.1 port " + busy.getLocalPort()),
                    r.err());
            assertNoStackTrace(r);
        }
    }

    @Test
    void anUnknownCommandSuggestsTheRightOne() throws Exception {
        Run r = pgrds(tmp, "validat");
        assertEquals(ErrorCode.USAGE.exitCode(), r.exit());
        assertTrue(r.err().contains("Did you mean: pgrds validate"), r.err());
    }

    @Test
    void initScaffoldsACommittedFleetThatValidatesAndRefusesToOverwrite() throws Exception {
        Path dir = tmp.resolve("new-fleet");
        Run r = pgrds(tmp, "init", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(dir.resolve("schema/cluster.schema.json")));
        assertTrue(Files.readString(dir.resolve("clusters/example/integration.yaml"))
                .startsWith("# yaml-language-server: $schema=../../schema/cluster.schema.json"));
        Run v = pgrds(tmp, "--repo", dir.toString(), "validate");
        assertEquals(0, v.exit(), v.out() + v.err());
        assertTrue(v.out().contains("example/integration"), v.out());
        assertEquals("", v.err(), "a fresh scaffold has nothing uncommitted");
        Run again = pgrds(tmp, "init", dir.toString());
        assertEquals(ErrorCode.USAGE.exitCode(), again.exit());
        assertTrue(again.err().contains("already has a clusters/ directory"), again.err());
    }

    @Test
    void versionAndHelpWork() throws Exception {
        Run v = pgrds(tmp, "--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("pgrds "), v.out());
        Run h = pgrds(tmp, "validate", "--help");
        assertEquals(0, h.exit());
        assertTrue(h.out().contains("Usage: pgrds validate"), h.out());
    }
}
