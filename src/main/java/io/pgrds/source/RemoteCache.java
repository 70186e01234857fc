package io.pgrds.source;

import static io.pgrds.source.GitSource.unavailable;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.util.FS;

/**
 * A bare mirror of a remote repository under the cache directory, one per URL, brought up to date on
 * every read. Branches are fetched to {@code refs/heads/*} and tags to {@code refs/tags/*} (pruned,
 * forced), so refs resolve in the mirror exactly as in a local repository.
 *
 * <p>The URL is never written into the mirror's configuration: it is passed to every fetch, so a
 * credential embedded in it stays out of the cache directory.
 *
 * <p>Two pgrds processes (or two threads of one daemon) that read the same remote take turns: an
 * operating-system lock on {@code <key>.lock} next to the mirror is held from the fetch to the end of
 * the read. The operating system drops the lock when a process dies, so a killed run leaves no stale
 * lock behind.
 */
final class RemoteCache {
    static {
        SystemGitConfig.apply();
    }

    static final Duration LOCK_WAIT = Duration.ofMinutes(10);
    private static final int FETCH_TIMEOUT_SECONDS = 300;
    private static final List<String> REFSPECS = List.of("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*");
    /** File locks are held per process; threads of this process queue on these first. */
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private RemoteCache() {
    }

    /** What a read of the mirror needs while the lock is held. */
    interface Reader<T> {
        T read(Repository mirror, Optional<String> defaultBranch) throws IOException, GitAPIException;
    }

    /**
     * Fetches {@code url} into its mirror under {@code cacheDir}, then runs {@code reader} on it,
     * all under the cache lock.
     */
    static <T> T fetchAndRead(String url, Path cacheDir, Map<String, String> environment, Reader<T> reader) {
        String shown = Urls.redact(url);
        String key = Urls.cacheKey(url);
        Path cache;
        try {
            // the real path, so two spellings of one cache directory share one in-process lock
            cache = Files.createDirectories(cacheDir).toRealPath();
        } catch (IOException e) {
            throw unavailable("unable to create the cache directory " + cacheDir + " for " + shown + ": "
                    + GitSource.describe(e) + "; pass a writable cache directory", e);
        }
        Path mirror = cache.resolve(key + ".git");
        Path lockFile = cache.resolve(key + ".lock");
        ReentrantLock threads = IN_PROCESS.computeIfAbsent(lockFile, p -> new ReentrantLock());
        threads.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = acquire(channel, lockFile, shown);
            try (Repository repo = open(mirror)) {
                Optional<String> defaultBranch = fetch(repo, url, shown, environment);
                return reader.read(repo, defaultBranch);
            } finally {
                lock.release();
            }
        } catch (IOException | GitAPIException e) {
            throw unavailable("unable to use the cache " + mirror + " of " + shown + ": "
                    + Urls.redact(GitSource.describe(e)) + "; delete that directory to start afresh");
        } finally {
            threads.unlock();
        }
    }

    private static FileLock acquire(FileChannel channel, Path lockFile, String shown) throws IOException {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() > deadline) {
                throw unavailable("another process has been fetching " + shown + " for " + LOCK_WAIT.toMinutes()
                        + " minutes (it holds " + lockFile + "); end it, or wait and run again");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unavailable("interrupted while waiting for the cache lock " + lockFile + " of " + shown);
            }
        }
    }

    /** The mirror, created on first use; a directory left half-made by a killed run is made again. */
    private static Repository open(Path mirror) throws IOException, GitAPIException {
        File dir = mirror.toFile();
        if (!RepositoryCache.FileKey.isGitRepository(dir, FS.DETECTED)) {
            if (Files.exists(mirror)) {
                deleteTree(mirror);
            }
            Git.init().setBare(true).setDirectory(dir).call().close();
        }
        return new FileRepositoryBuilder().setGitDir(dir).setMustExist(true).build();
    }

    /** Fetches every branch and tag; returns the remote's default branch (what HEAD means there). */
    private static Optional<String> fetch(Repository repo, String url, String shown, Map<String, String> environment)
            throws IOException {
        FetchResult result;
        ExternalSsh externalSsh = new ExternalSsh(environment);
        try {
            result = Git.wrap(repo).fetch()
                    .setRemote(url)
                    .setRefSpecs(REFSPECS.toArray(String[]::new))
                    .setRemoveDeletedRefs(true)
                    .setTimeout(FETCH_TIMEOUT_SECONDS)
                    .setTransportConfigCallback(transport -> {
                        if (transport instanceof SshTransport ssh) {
                            ssh.setSshSessionFactory(externalSsh);
                        }
                    })
                    .call();
        } catch (GitAPIException | RuntimeException e) {
            // git's own words (from the ssh process's stderr, complete once it exited) say more than JGit's
            String remote = Urls.redact(externalSsh.remoteError());
            // no cause attached: JGit's messages and exceptions may carry the URL with its user name
            throw unavailable("unable to fetch " + shown + ": " + (remote.isEmpty() ? reason(e, shown) : remote)
                    + "; check the URL, the network and the credentials");
        } finally {
            externalSsh.close();
        }
        Optional<String> defaultBranch = defaultBranch(result);
        if (defaultBranch.isPresent()) {
            RefUpdate head = repo.updateRef(Constants.HEAD);
            head.disableRefLog();
            head.link(defaultBranch.get());
        }
        return defaultBranch;
    }

    /**
     * Why a fetch failed, without credentials and without the repetitions of JGit's messages, which
     * start every level with the URL ("Invalid remote: URL: URL: not found.").
     */
    static String reason(Exception e, String shown) {
        String reason = Urls.redact(GitSource.describe(e))
                .replace(shown + ": ", "")
                .replace("Invalid remote: ", "")
                .strip();
        while (reason.endsWith(".") || reason.endsWith(":")) {
            reason = reason.substring(0, reason.length() - 1).strip();
        }
        return reason.isEmpty() ? e.getClass().getSimpleName() : reason;
    }

    /**
     * The branch the remote's HEAD names: from the symbolic ref the server advertises, or else the
     * one branch at HEAD's commit (main, then master, when several are).
     */
    static Optional<String> defaultBranch(FetchResult result) {
        Ref head = result.getAdvertisedRef(Constants.HEAD);
        if (head == null) {
            return Optional.empty();
        }
        if (head.isSymbolic()) {
            return Optional.of(head.getTarget().getName());
        }
        ObjectId id = head.getObjectId();
        List<String> atHead = result.getAdvertisedRefs().stream()
                .filter(r -> r.getName().startsWith(Constants.R_HEADS))
                .filter(r -> id != null && id.equals(r.getObjectId()))
                .map(Ref::getName)
                .sorted(Comparator.comparing((String n) -> !n.equals(Constants.R_HEADS + "main"))
                        .thenComparing(n -> !n.equals(Constants.R_HEADS + Constants.MASTER))
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
        return atHead.stream().findFirst();
    }

    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
