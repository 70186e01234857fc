package io.pgrds.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** git's system configuration found as git finds it, without running git; JGit asks git where it cannot be sure. */
class SystemGitConfigTest {
    private static final Path DISTRIBUTION_GIT = Path.of("/usr/bin/git");

    @Test
    void theDistributionsGitReadsEtcGitconfigAsGitItselfSays() throws Exception {
        assumeTrue(Files.isExecutable(DISTRIBUTION_GIT), "git is installed as the distribution installs it");
        ProcessBuilder pb = new ProcessBuilder(DISTRIBUTION_GIT.toString(), "config", "--system", "--edit");
        pb.environment().put("GIT_EDITOR", "echo");
        pb.environment().remove("GIT_CONFIG_SYSTEM");
        pb.environment().remove("GIT_CONFIG_NOSYSTEM");
        Process p = pb.redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(true, p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(Optional.of(new File(said)), SystemGitConfig.locate(Map.of("PATH", "/usr/local/bin:/usr/bin")),
                "git's own answer");
    }

    @Test
    void aGitLinkedToTheDistributionsIsTheDistributionsGit(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(DISTRIBUTION_GIT));
        Path link = Files.createSymbolicLink(dir.resolve("git"), DISTRIBUTION_GIT);
        try {
            assertEquals(Optional.of(new File("/etc/gitconfig")), SystemGitConfig.locate(Map.of("PATH",
                    dir.toString())));
        } finally {
            Files.delete(link); // JUnit warns about links out of its directory that it has to delete
        }
    }

    @Test
    void anyOtherGitIsAskedByJgitAsBefore(@TempDir Path dir) throws Exception {
        Path git = Files.createFile(dir.resolve("git"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals(Optional.of(git), SystemGitConfig.onPath(dir + ":/usr/bin"), "the first on the PATH wins");
        assertEquals(Optional.empty(), SystemGitConfig.locate(Map.of("PATH", dir + ":/usr/bin")));
    }

    @Test
    void noGitOnThePathLeavesItToJgit(@TempDir Path dir) {
        assertEquals(Optional.empty(), SystemGitConfig.locate(Map.of("PATH", dir.toString())));
        assertEquals(Optional.empty(), SystemGitConfig.locate(Map.of()));
    }

    @Test
    void theEnvironmentDecidesFirstAsForGit() {
        assertEquals(Optional.of(new File("/opt/git/config")), SystemGitConfig.locate(Map.of(
                "GIT_CONFIG_SYSTEM", "/opt/git/config", "PATH", "/usr/bin")));
        assertEquals(Optional.empty(), SystemGitConfig.locate(Map.of("GIT_CONFIG_NOSYSTEM", "1",
                "GIT_CONFIG_SYSTEM", "/opt/git/config", "PATH", "/usr/bin")), "JGit reads none then");
    }
}
