package io.pgrds.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The backstop: everything the harness starts is registered here, and a JVM shutdown hook kills what is left
 * (sshd processes, postmasters found through their {@code postmaster.pid}) and deletes the temporary roots,
 * so even an aborted test run leaves no daemon behind. Normal cleanup happens in {@link TestHosts#close()}.
 */
final class Cleanup {
    private static final Set<Process> PROCESSES = ConcurrentHashMap.newKeySet();
    private static final Set<Path> DATA_DIRECTORIES = ConcurrentHashMap.newKeySet();
    private static final Set<Path> ROOTS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::everything, "pgrds-harness-cleanup"));
    }

    private Cleanup() {
    }

    static void register(Process process) {
        PROCESSES.add(process);
    }

    static void unregister(Process process) {
        PROCESSES.remove(process);
    }

    static void registerDataDirectory(Path dataDirectory) {
        DATA_DIRECTORIES.add(dataDirectory);
    }

    static void unregisterDataDirectory(Path dataDirectory) {
        DATA_DIRECTORIES.remove(dataDirectory);
    }

    static void registerRoot(Path root) {
        ROOTS.add(root);
    }

    static void unregisterRoot(Path root) {
        ROOTS.remove(root);
    }

    private static void everything() {
        PROCESSES.forEach(Cleanup::killTree);
        DATA_DIRECTORIES.forEach(Cleanup::killPostmaster);
        if (!Boolean.getBoolean(TestHosts.KEEP_PROPERTY)) {
            ROOTS.forEach(Cleanup::deleteTree);
        }
    }

    /** SIGTERM to the process, SIGKILL to its descendants, SIGKILL to the process if it lingers; waits for all. */
    static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            descendants.forEach(handle -> awaitExited(handle, 5_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // best effort: a process that does not die in 5 s after SIGKILL is beyond our reach
        }
    }

    /** The pid of the postmaster running on {@code dataDirectory}, if one is. */
    static Optional<ProcessHandle> postmaster(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            String first = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
            if (first.isEmpty()) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(first))
                    .filter(ProcessHandle::isAlive)
                    .filter(h -> !isZombie(h))
                    .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(true));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** SIGKILL to the postmaster of {@code dataDirectory} and all its children; waits until they are gone. */
    static void killPostmaster(Path dataDirectory) {
        postmaster(dataDirectory).ifPresent(postmaster -> {
            List<ProcessHandle> children = postmaster.descendants().toList();
            postmaster.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            awaitGone(postmaster, 5_000);
            children.forEach(child -> awaitGone(child, 5_000));
        });
    }

    /**
     * Waits until a process (not necessarily our child) has exited and been reaped. Polls, because
     * {@code onExit()} of a process that is not our child only notices about once a second. On this kind of
     * machine the init process may reap orphans only every second or so; PostgreSQL counts an unreaped
     * (zombie) postmaster named in a leftover postmaster.pid as running, so after a crash we wait for the reap.
     */
    static boolean awaitGone(ProcessHandle process, long timeoutMillis) {
        return await(process, timeoutMillis, false);
    }

    /** Waits until a process has exited; an exited but unreaped (zombie) process counts as gone. */
    static boolean awaitExited(ProcessHandle process, long timeoutMillis) {
        return await(process, timeoutMillis, true);
    }

    private static boolean await(ProcessHandle process, long timeoutMillis, boolean zombieIsGone) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (process.isAlive() && !(zombieIsGone && isZombie(process))) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Whether the process has exited but is not reaped yet (state Z in /proc/PID/stat). */
    static boolean isZombie(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end > 0 && end + 2 < stat.length() && (stat.charAt(end + 2) == 'Z' || stat.charAt(end + 2) == 'X');
        } catch (IOException e) {
            return !process.isAlive();
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("pgrds harness: unable to delete " + root + ": " + e);
        }
    }

    /** The last {@code lines} lines of a log file, for failure messages. */
    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no " + file + ")";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return "--- " + file + " ---\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unable to read " + file + ": " + e + ")";
        }
    }
}
