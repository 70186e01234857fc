package io.pgrds.source;

import static io.pgrds.source.GitSource.unavailable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * Collects the files under {@code clusters/}, from a commit or from a plain directory, keyed by
 * repository-relative path with forward slashes. Only regular files are content: symbolic links and
 * submodules are skipped with a warning, the same way from a commit as from disk, so a fleet reads
 * the same wherever it lives.
 */
final class ClusterFiles {
    static final String DIRECTORY = "clusters";

    private ClusterFiles() {
    }

    /** Every file under {@code clusters/} in the tree of {@code commit}; a warning when there is none. */
    static SortedMap<String, byte[]> fromCommit(Repository repo, RevCommit commit, List<String> warnings)
            throws IOException {
        SortedMap<String, byte[]> files = new TreeMap<>();
        try (ObjectReader reader = repo.newObjectReader();
                TreeWalk directory = TreeWalk.forPath(reader, DIRECTORY, commit.getTree())) {
            if (directory == null || directory.getFileMode(0) != FileMode.TREE) {
                warnings.add("no " + DIRECTORY + "/ directory at commit " + commit.abbreviate(7).name());
                return files;
            }
            try (TreeWalk walk = new TreeWalk(repo, reader)) {
                walk.addTree(commit.getTree());
                walk.setRecursive(true);
                walk.setFilter(PathFilter.create(DIRECTORY));
                while (walk.next()) {
                    String path = walk.getPathString();
                    FileMode mode = walk.getFileMode(0);
                    if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
                        try (InputStream in = reader.open(walk.getObjectId(0), Constants.OBJ_BLOB).openStream()) {
                            files.put(path, in.readAllBytes());
                        }
                    } else {
                        warnings.add(skipped(path, mode == FileMode.SYMLINK ? "a symbolic link" : "a submodule"));
                    }
                }
            }
        }
        return files;
    }

    /** How many earlier commits that changed {@code clusters/} are searched for earlier versions of its files. */
    static final int HISTORY_COMMITS = 50;

    /**
     * Earlier, different contents of the files under {@code clusters/}, newest first, from at most {@code max}
     * commits before {@code commit} that changed that directory.
     */
    static SortedMap<String, List<byte[]>> history(Repository repo, RevCommit commit, SortedMap<String, byte[]> now,
                                                   int max) throws IOException {
        SortedMap<String, List<byte[]>> history = new TreeMap<>();
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo)) {
            walk.markStart(walk.parseCommit(commit));
            walk.setTreeFilter(org.eclipse.jgit.treewalk.filter.AndTreeFilter.create(PathFilter.create(DIRECTORY),
                    org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF));
            int seen = 0;
            for (RevCommit c : walk) {
                if (c.equals(commit)) {
                    continue;
                }
                if (seen++ >= max) {
                    break;
                }
                for (var e : fromCommit(repo, c, new java.util.ArrayList<>()).entrySet()) {
                    byte[] current = now.get(e.getKey());
                    if (current != null && java.util.Arrays.equals(current, e.getValue())) {
                        continue;
                    }
                    List<byte[]> versions = history.computeIfAbsent(e.getKey(), k -> new java.util.ArrayList<>());
                    if (versions.stream().noneMatch(v -> java.util.Arrays.equals(v, e.getValue()))) {
                        versions.add(e.getValue());
                    }
                }
            }
        }
        return history;
    }

    /** Every file under {@code clusters/} of a directory that is not a git repository. */
    static SortedMap<String, byte[]> fromDisk(Path root, String where, List<String> warnings) {
        SortedMap<String, byte[]> files = new TreeMap<>();
        Path directory = root.resolve(DIRECTORY);
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            warnings.add("no " + DIRECTORY + "/ directory in " + where);
            return files;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : (Iterable<Path>) paths.sorted()::iterator) {
                String name = relativeName(root, path);
                if (Files.isSymbolicLink(path)) {
                    warnings.add(skipped(name, "a symbolic link"));
                } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    files.put(name, Files.readAllBytes(path));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw unavailable("unable to read " + directory + ": " + GitSource.describe(e), e);
        }
        return files;
    }

    private static String relativeName(Path root, Path path) {
        StringBuilder name = new StringBuilder();
        for (Path part : root.relativize(path)) {
            if (name.length() > 0) {
                name.append('/');
            }
            name.append(part);
        }
        return name.toString();
    }

    private static String skipped(String path, String what) {
        return path + " is " + what + ", not a file: skipped";
    }
}
