package io.pgrds.source;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;

import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;

import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;

/**
 * Reads the fleet's {@code clusters/} files as committed at one ref of a repository: a local working
 * tree, a local bare repository, a remote URL fetched into a cache, or (with a warning) a plain
 * directory that is not a git repository. It never reads a working tree's uncommitted files; it warns
 * about them instead. It prints nothing: what the user should know comes back as warnings, and every
 * failure is a {@link PgrdsException} with {@link ErrorCode#SOURCE_UNAVAILABLE}.
 */
public final class GitSource {
    static {
        SystemGitConfig.apply();
    }

    private GitSource() {
    }

    /**
     * @param repo     a local path (git working tree, bare repo, or a plain directory) or a remote URL
     *                 (file://, ssh://, https://, http://, git@host:path)
     * @param ref      branch, tag, full or abbreviated commit id, or null/"HEAD"
     * @param cacheDir where remote repositories are fetched to (one bare repo per URL, named by the
     *                 SHA-256 of the URL without credentials); unused for local paths
     */
    public static Snapshot read(String repo, String ref, Path cacheDir) {
        return read(repo, ref, cacheDir, System.getenv());
    }

    /** {@link #read(String, String, Path)} with the environment SSH settings come from. */
    static Snapshot read(String repo, String ref, Path cacheDir, Map<String, String> environment) {
        if (repo == null || repo.isBlank()) {
            throw unavailable("no repository given: pass the root of a git repository, a directory containing "
                    + ClusterFiles.DIRECTORY + "/, or a remote URL");
        }
        String asked = ref == null || ref.isBlank() ? Constants.HEAD : ref.strip();
        if (Urls.isRemote(repo)) {
            Objects.requireNonNull(cacheDir, "a cache directory is needed to read a remote repository");
            return readRemote(repo, asked, cacheDir, environment);
        }
        return readLocal(repo, asked);
    }

    private static Snapshot readRemote(String url, String ref, Path cacheDir, Map<String, String> environment) {
        String shown = Urls.redact(url);
        return RemoteCache.fetchAndRead(url, cacheDir, environment, (mirror, defaultBranch) -> {
            if (!Commits.hasCommits(mirror)) {
                throw noCommits(shown);
            }
            String target = ref;
            if (ref.equals(Constants.HEAD)) {
                target = defaultBranch.orElseThrow(() -> unavailable("remote " + shown
                        + " does not name a default branch (its HEAD); pass a branch, a tag or a commit id"));
            }
            List<String> warnings = new ArrayList<>();
            RevCommit commit = Commits.resolve(mirror, target, shown, warnings);
            return snapshot(mirror, ref, commit, warnings);
        });
    }

    private static Snapshot readLocal(String repo, String ref) {
        Path path;
        try {
            path = Path.of(repo).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw unavailable("repository " + repo + " is not a valid path: " + e.getReason());
        }
        if (!Files.exists(path)) {
            throw unavailable("repository " + path + " does not exist: pass the root of a git repository, "
                    + "a directory containing " + ClusterFiles.DIRECTORY + "/, or a remote URL");
        }
        if (!Files.isDirectory(path)) {
            throw unavailable("repository " + path + " is a file, not a directory: pass the root of a git "
                    + "repository, a directory containing " + ClusterFiles.DIRECTORY + "/, or a remote URL");
        }
        File dir = path.toFile();
        FileRepositoryBuilder builder = new FileRepositoryBuilder().setMustExist(true);
        if (Files.exists(path.resolve(Constants.DOT_GIT))) {
            builder.setWorkTree(dir); // a .git directory, or a .git file of a linked worktree
        } else if (RepositoryCache.FileKey.isGitRepository(dir, FS.DETECTED)) {
            builder.setGitDir(dir); // a bare repository (or the .git directory itself)
        } else {
            rejectInsideRepository(path);
            return readPlainDirectory(path, ref);
        }
        try (Repository repository = builder.build()) {
            String shown = path.toString();
            if (!Commits.hasCommits(repository)) {
                throw noCommits(shown);
            }
            List<String> warnings = new ArrayList<>();
            RevCommit commit = Commits.resolve(repository, ref, shown, warnings);
            if (!repository.isBare()) {
                WorkingTreeChanges.warning(repository).ifPresent(warnings::add);
            }
            return snapshot(repository, ref, commit, warnings);
        } catch (IOException | GitAPIException e) {
            throw unavailable("unable to read git repository " + path + ": " + describe(e), e);
        }
    }

    private static Snapshot snapshot(Repository repo, String ref, RevCommit commit, List<String> warnings)
            throws IOException {
        SortedMap<String, byte[]> files = ClusterFiles.fromCommit(repo, commit, warnings);
        return new Snapshot(Optional.of(commit.name()), ref, files, warnings,
                ClusterFiles.history(repo, commit, files, ClusterFiles.HISTORY_COMMITS));
    }

    /** A directory inside a repository is refused: the fleet's paths are relative to the root. */
    private static void rejectInsideRepository(Path path) {
        FileRepositoryBuilder enclosing = new FileRepositoryBuilder().findGitDir(path.toFile());
        if (enclosing.getGitDir() == null) {
            return;
        }
        Path root = enclosing.getGitDir().toPath().toAbsolutePath().normalize();
        if (root.getFileName() != null && root.getFileName().toString().equals(Constants.DOT_GIT)) {
            root = root.getParent();
        }
        try (Repository repository = enclosing.setMustExist(true).build()) {
            root = (repository.isBare() ? repository.getDirectory() : repository.getWorkTree())
                    .toPath().toAbsolutePath().normalize();
        } catch (IOException | IllegalStateException e) {
            // keep the root derived from the git directory's location
        }
        throw unavailable(path + " is inside the git repository " + root + ", not its root: pass " + root);
    }

    /**
     * The cluster files as they are in the working tree of a local repository, committed or not: what
     * {@code validate --working-tree} checks before a commit (a pre-commit hook). No commit is recorded.
     */
    public static Snapshot readWorkingTree(String repo) {
        Path path;
        try {
            path = Path.of(repo).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw unavailable("repository " + repo + " is not a valid path: " + e.getReason());
        }
        if (!Files.isDirectory(path)) {
            throw unavailable("--working-tree reads a local checkout, and " + path + " is not a directory: run it "
                    + "in the repository's root, or pass --repo PATH");
        }
        if (!Files.exists(path.resolve(Constants.DOT_GIT))) {
            rejectInsideRepository(path);
        }
        List<String> warnings = new ArrayList<>();
        SortedMap<String, byte[]> files = ClusterFiles.fromDisk(path, path.toString(), warnings);
        return new Snapshot(Optional.empty(), Constants.HEAD, files, warnings);
    }

    /**
     * Commits one file of a local checkout, as it is in the working tree, on the current branch (nothing else that
     * changed is committed); the new commit's id. The author and committer are those of the repository's git
     * configuration.
     */
    public static String commitFile(String repo, String file, String message) {
        Path root = Path.of(repo).toAbsolutePath().normalize();
        try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(root.toFile())) {
            git.add().addFilepattern(file).call();
            return git.commit().setOnly(file).setMessage(message).call().name();
        } catch (IOException | GitAPIException e) {
            throw unavailable("unable to commit " + file + " in " + root + ": " + describe(e), e);
        }
    }

    private static Snapshot readPlainDirectory(Path path, String ref) {
        if (!ref.equals(Constants.HEAD)) {
            throw unavailable(path + " is not a git repository, so ref '" + ref
                    + "' cannot be read there: leave out the ref, or pass a git repository");
        }
        List<String> warnings = new ArrayList<>();
        warnings.add(path + " is not a git repository: reading files from disk, no commit recorded");
        SortedMap<String, byte[]> files = ClusterFiles.fromDisk(path, path.toString(), warnings);
        return new Snapshot(Optional.empty(), ref, files, warnings);
    }

    private static PgrdsException noCommits(String shown) {
        return unavailable("repository " + shown + " has no commits yet: commit the " + ClusterFiles.DIRECTORY
                + "/ directory, then run again");
    }

    static PgrdsException unavailable(String message) {
        return new PgrdsException(ErrorCode.SOURCE_UNAVAILABLE, message);
    }

    static PgrdsException unavailable(String message, Throwable cause) {
        return new PgrdsException(ErrorCode.SOURCE_UNAVAILABLE, message, cause);
    }

    /** {@code a, b, c and 4 more}: the first {@code limit} items, then how many were left out. */
    static String listAtMost(List<String> items, int limit) {
        if (items.size() <= limit) {
            return String.join(", ", items);
        }
        return String.join(", ", items.subList(0, limit)) + " and " + (items.size() - limit) + " more";
    }

    /**
     * The most telling message in an exception's chain: JGit wraps the reason ("not found", "Auth
     * fail") in generic outer messages, so the innermost message that adds something is kept with them.
     */
    static String describe(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null || t.getMessage().isBlank()
                    ? t.getClass().getSimpleName() : t.getMessage().strip();
            if (parts.stream().noneMatch(p -> p.contains(message))) {
                parts.add(message);
            }
        }
        return String.join(": ", parts);
    }
}
