package io.pgrds.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Repository;

/**
 * The warning for edits under {@code clusters/} that are not committed: pgrds reads commits only, so
 * a user who edited a file and forgot to commit must hear that the edit is not part of the run.
 */
final class WorkingTreeChanges {
    private static final int LISTED = 10;

    private WorkingTreeChanges() {
    }

    /**
     * A warning listing uncommitted changes under {@code clusters/} of a non-bare repository, or
     * empty when there are none. The status scan is limited to {@code clusters/}, so a large
     * repository stays fast.
     */
    static Optional<String> warning(Repository repo) throws GitAPIException {
        Status status = Git.wrap(repo).status().addPath(ClusterFiles.DIRECTORY).call();
        // one label per path; a path can be in several sets (added, then edited again): the first wins
        Map<String, String> changes = new TreeMap<>();
        label(changes, status.getConflicting(), "conflict");
        label(changes, status.getAdded(), "added");
        label(changes, status.getRemoved(), "deleted");
        label(changes, status.getMissing(), "deleted");
        label(changes, status.getChanged(), "modified");
        label(changes, status.getModified(), "modified");
        label(changes, status.getUntracked(), "untracked");
        if (changes.isEmpty()) {
            return Optional.empty();
        }
        List<String> described = new ArrayList<>();
        changes.forEach((path, label) -> described.add(path + " (" + label + ")"));
        return Optional.of("uncommitted changes in " + ClusterFiles.DIRECTORY + "/ are not part of this run: "
                + GitSource.listAtMost(described, LISTED));
    }

    private static void label(Map<String, String> changes, Collection<String> paths, String label) {
        for (String path : paths) {
            changes.putIfAbsent(path, label);
        }
    }
}
