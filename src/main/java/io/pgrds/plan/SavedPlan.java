package io.pgrds.plan;

import io.pgrds.desired.ClusterId;
import io.pgrds.observe.ObservedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A plan written to a file ({@code pgrds plan --out FILE}) to be applied later exactly as shown. It keeps what it
 * was based on: the commit, and each cluster's per-node {@link NodeSummary}; {@link #staleness} compares those
 * with a fresh observation. Reading and writing the bytes is {@code io.pgrds.render.SavedPlanJson}.
 *
 * @param observed      per cluster, per node, the summary the plan was made from
 * @param confirmations what the operator confirmed when the plan was made ({@code --fenced}); applying the plan
 *                      plans again under the lock with the same
 */
public record SavedPlan(String formatVersion, Optional<String> commit, List<ClusterPlan> clusters,
                        SortedMap<ClusterId, SortedMap<String, NodeSummary>> observed, Confirmations confirmations) {
    public static final String FORMAT_VERSION = "1";

    public SavedPlan {
        clusters = new FleetPlan(commit, clusters).clusters();
        SortedMap<ClusterId, SortedMap<String, NodeSummary>> copy = new TreeMap<>();
        observed.forEach((k, v) -> copy.put(k, java.util.Collections.unmodifiableSortedMap(new TreeMap<>(v))));
        observed = java.util.Collections.unmodifiableSortedMap(copy);
    }

    /** Saves a fleet plan with the observations it was made from (one per planned cluster). */
    public static SavedPlan of(FleetPlan plan, Map<ClusterId, ObservedCluster> basedOn) {
        return of(plan, basedOn, Confirmations.NONE);
    }

    /** The same, with what the operator confirmed when it was made. */
    public static SavedPlan of(FleetPlan plan, Map<ClusterId, ObservedCluster> basedOn, Confirmations confirmations) {
        SortedMap<ClusterId, SortedMap<String, NodeSummary>> observed = new TreeMap<>();
        for (ClusterPlan c : plan.clusters()) {
            ObservedCluster o = basedOn.get(c.id());
            observed.put(c.id(), o == null ? new TreeMap<>() : Fingerprint.summaries(o));
        }
        return new SavedPlan(FORMAT_VERSION, plan.commit(), plan.clusters(), observed, confirmations);
    }

    public FleetPlan plan() {
        return new FleetPlan(commit, clusters);
    }

    /** The digest of what a cluster's plan was based on. */
    public String fingerprint(ClusterId id) {
        return Fingerprint.of(observed.getOrDefault(id, new TreeMap<>()));
    }

    /**
     * What changed since the plan was made, one line each ({@code orderdata/integration: pg2: was STANDBY
     * following pg1, now PRIMARY}); empty when the plan may be applied as it is.
     */
    public List<String> staleness(Map<ClusterId, ObservedCluster> now) {
        List<String> out = new ArrayList<>();
        observed.forEach((id, before) -> {
            ObservedCluster o = now.get(id);
            if (o == null) {
                out.add(id + ": not observed now");
                return;
            }
            Fingerprint.differences(before, Fingerprint.summaries(o)).forEach(d -> out.add(id + ": " + d));
        });
        for (ClusterPlan c : clusters) {
            ObservedCluster o = now.get(c.id());
            missingBackups(c, o == null ? Optional.empty() : Optional.of(o)).forEach(m -> out.add(c.id() + ": " + m));
        }
        return out;
    }

    /**
     * A restore's backup must still be there when the plan is applied (retention may have expired it since); a newer
     * backup does not change what was approved. One line per restore whose backup is gone or cannot be read now.
     */
    public static List<String> missingBackups(ClusterPlan plan, Optional<ObservedCluster> now) {
        List<String> out = new ArrayList<>();
        for (Action a : plan.actions()) {
            if (a instanceof Action.RestorePrimary r && r.backup().isPresent()) {
                Optional<io.pgrds.observe.BackupCatalog> catalog = now.flatMap(ObservedCluster::restoreSource)
                        .flatMap(io.pgrds.observe.RestoreSource::catalog);
                if (catalog.isEmpty()) {
                    out.add("the backups of " + r.from() + " could not be read now");
                } else if (catalog.get().backups().stream().noneMatch(b -> b.label().equals(r.backup().get()))) {
                    out.add("backup " + r.backup().get() + " of " + r.from() + " is no longer in repository "
                            + catalog.get().repository());
                }
            }
        }
        return out;
    }
}
