package io.pgrds.source;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.util.FS;

/**
 * Where git's system-wide configuration is, found without running git. JGit otherwise asks the git program
 * ({@code git --version}, then {@code git config --system --show-origin --list}): two processes on every command
 * that reads the fleet, some 60 ms of a {@code pgrds status}. The answer is the same as git's own, where it can be
 * known for certain: {@code GIT_CONFIG_SYSTEM} when set; {@code /etc/gitconfig} for the git of the distribution
 * ({@code /usr/bin/git}, built with {@code sysconfdir=/etc}). Any other git on the PATH (built from source under
 * {@code /usr/local}, say) is still asked by JGit, as before; so is the case of no git at all. With
 * {@code GIT_CONFIG_NOSYSTEM} set JGit reads no system configuration, as git does.
 */
public final class SystemGitConfig {
    private static final Path DISTRIBUTION_GIT = Path.of("/usr/bin/git");
    private static final File DISTRIBUTION_CONFIG = new File("/etc/gitconfig");
    private static volatile boolean done;

    private SystemGitConfig() {
    }

    /** Tells JGit where the system configuration is, once, when that is known without running git. */
    public static void apply() {
        if (done) {
            return;
        }
        synchronized (SystemGitConfig.class) {
            if (!done) {
                locate(System.getenv()).ifPresent(FS.DETECTED::setGitSystemConfig);
                done = true;
            }
        }
    }

    /** The system configuration file git would read, or empty when only git itself can say (or it reads none). */
    static Optional<File> locate(Map<String, String> env) {
        if (!blank(env.get("GIT_CONFIG_NOSYSTEM"))) {
            return Optional.empty(); // JGit reads none then, as git does
        }
        String explicit = env.get("GIT_CONFIG_SYSTEM");
        if (!blank(explicit)) {
            return Optional.of(new File(explicit));
        }
        return onPath(env.get("PATH")).filter(git -> {
            try {
                return git.toRealPath().equals(DISTRIBUTION_GIT.toRealPath());
            } catch (java.io.IOException e) {
                return false;
            }
        }).map(git -> DISTRIBUTION_CONFIG);
    }

    /** The git program a shell would run for {@code git} with this PATH. */
    static Optional<Path> onPath(String path) {
        if (blank(path)) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            try {
                Path git = Path.of(dir.isEmpty() ? "." : dir, "git");
                if (Files.isRegularFile(git) && Files.isExecutable(git)) {
                    return Optional.of(git);
                }
            } catch (InvalidPathException e) {
                // not a directory a shell could search either
            }
        }
        return Optional.empty();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
