package io.pgrds.desired;

import java.util.List;
import java.util.Optional;

/**
 * Every cluster of the fleet repository at one commit.
 *
 * @param commit   the commit the files were read from; empty for a plain directory
 * @param warnings things the user should know that do not stop the run (uncommitted changes, ...)
 */
public record DesiredFleet(Optional<String> commit, List<DesiredCluster> clusters, List<String> warnings) {
    public DesiredFleet {
        clusters = clusters.stream().sorted(java.util.Comparator.comparing(DesiredCluster::id)).toList();
        warnings = List.copyOf(warnings);
    }

    public Optional<DesiredCluster> cluster(ClusterId id) {
        return clusters.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** The short commit id (7 characters) for display, or "working directory". */
    public String shortCommit() {
        return commit.map(c -> c.substring(0, Math.min(7, c.length()))).orElse("(not a git commit)");
    }
}
