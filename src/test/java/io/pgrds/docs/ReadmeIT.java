package io.pgrds.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgrds.harness.TestHosts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's quick start as a reader would type it: every block marked runnable, in order, in one shell,
 * with {@code pgrds} on the PATH (the packaged jar). The reader's machine is a namespace of its own: its own
 * network (so 127.0.0.2 and .3 and port 15432 are the quick start's alone, whatever other tests run), its own
 * /var/tmp (a tmpfs) and its own process tree, so every PostgreSQL server the quick start starts ends with it,
 * even when the test fails.
 */
class ReadmeIT {
    @TempDir
    Path home;

    @Test
    void theQuickStartRunsAsWritten() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the quick start runs as root (it says so)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")) && Files.isExecutable(Path.of("/usr/sbin/ip")),
                "needs unshare and ip for a namespace of its own");
        List<String> blocks = ReadmeBlocks.runnable(Path.of("README.md"));
        assertTrue(blocks.size() >= 3, "runnable blocks in README.md: " + blocks.size());

        Path bin = Files.createDirectories(home.resolve("bin"));
        Path jar = Path.of(System.getProperty("pgrds.jar", "target/pgrds.jar")).toAbsolutePath();
        Path pgrds = bin.resolve("pgrds");
        Files.writeString(pgrds, "#!/bin/sh\nexec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar '" + jar + "' \"$@\"\n");
        Files.setPosixFilePermissions(pgrds, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));

        StringBuilder script = new StringBuilder();
        script.append("set -euo pipefail\n")
                .append("ip link set lo up\n")
                .append("mount -t tmpfs -o mode=1777 tmpfs /var/tmp\n")
                .append("cd \"$HOME\"\n");
        for (int i = 0; i < blocks.size(); i++) {
            script.append("echo '### runnable block ").append(i + 1).append("'\n").append(blocks.get(i));
        }
        script.append("echo '### quick start done'\n");
        Path file = home.resolve("quickstart.sh");
        Files.writeString(file, script.toString());

        ProcessBuilder pb = new ProcessBuilder("unshare", "--net", "--pid", "--fork", "--mount", "--mount-proc",
                "bash", file.toString()).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("NO_COLOR", "1");
        pb.environment().put("PGRDS_STATE", Files.createDirectories(home.resolve("state")).toString());
        for (String who : List.of("AUTHOR", "COMMITTER")) {
            pb.environment().put("GIT_" + who + "_NAME", "Quick Start");
            pb.environment().put("GIT_" + who + "_EMAIL", "reader@example.com");
        }
        Process p = TestHosts.startTracked(pb);
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(out);
        assertTrue(done, "the quick start did not finish within 240 s:\n" + out);
        assertEquals(0, p.exitValue(), "the quick start failed:\n" + out);
        assertTrue(out.contains("### quick start done"), out);
        // What the README tells the reader they will see.
        assertTrue(out.contains("+ init primary    pg1"), "the plan inits pg1:\n" + out);
        assertTrue(out.contains("+ clone standby   pg2   from pg1"), "the plan clones pg2:\n" + out);
        assertTrue(out.contains("✓ in sync: pg1 primary, 1 standby streaming"), "status after the apply:\n" + out);
        assertTrue(out.contains("~ switchover      pg1 → pg2"), "the switchover plan:\n" + out);
        assertTrue(out.contains("✓ in sync: pg2 primary, 1 standby streaming"), "status after the switchover:\n" + out);
        assertTrue(!out.contains("Exception"), "no stack trace:\n" + out);
        int applies = out.split("\n  done  ", -1).length - 1;
        assertEquals(3, applies, "history lists the quick start's three actions, and only those:\n" + out);
    }
}
