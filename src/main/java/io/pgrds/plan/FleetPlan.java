package io.pgrds.plan;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The plans of several clusters, from one commit.
 *
 * @param commit the commit the desired state was read from; empty for a directory that is not a git repository
 */
public record FleetPlan(Optional<String> commit, List<ClusterPlan> clusters) {
    public FleetPlan {
        clusters = clusters.stream().sorted(Comparator.comparing(ClusterPlan::id)).toList();
    }

    public int count(ActionKind.Symbol symbol) {
        return clusters.stream().mapToInt(c -> c.count(symbol)).sum();
    }

    public boolean hasChanges() {
        return clusters.stream().anyMatch(ClusterPlan::hasChanges);
    }

    public boolean refused() {
        return clusters.stream().anyMatch(ClusterPlan::refused);
    }

    /** The first seven characters of the commit, for display. */
    public Optional<String> shortCommit() {
        return commit.map(c -> c.substring(0, Math.min(7, c.length())));
    }
}
