package io.pgrds.desired.load;

import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The checks across the clusters of a fleet: a host in two clusters, a restore from a cluster that cannot give one. */
final class FleetChecks {
    private FleetChecks() {
    }

    /**
     * @param clusters the clusters that could be mapped, each with its layers to locate a problem
     * @param allIds   every cluster file of the fleet, those with problems of their own included
     */
    static List<Problem> check(Map<ClusterId, FleetLoader.Mapped> clusters, Set<ClusterId> allIds) {
        List<Problem> out = new ArrayList<>();
        Map<String, ClusterId> hostOwner = new HashMap<>();
        for (FleetLoader.Mapped m : clusters.values()) {
            DesiredCluster c = m.cluster();
            for (int i = 0; i < c.nodes().size(); i++) {
                String host = c.nodes().get(i).host();
                ClusterId owner = hostOwner.putIfAbsent(host, c.id());
                if (owner != null && !owner.equals(c.id())) {
                    out.add(m.layers().problem("/nodes/" + i + "/host", ProblemCode.HOST_IN_TWO_CLUSTERS, "host "
                            + host + " is already a node of " + owner + "; a server belongs to one cluster. "
                            + "Use another server, or remove it from " + owner + " first."));
                }
            }
            if (c.bootstrap() instanceof Bootstrap.Restore r) {
                restoreSourceProblem(c.id(), r.from(), clusters, allIds).ifPresent(why -> out.add(m.layers()
                        .problem("/bootstrap/restore/from", ProblemCode.RESTORE_SOURCE_UNKNOWN, why)));
            }
        }
        return out;
    }

    /** Why {@code id} cannot be restored from {@code from}, if it cannot. */
    private static Optional<String> restoreSourceProblem(ClusterId id, ClusterId from,
                                                         Map<ClusterId, FleetLoader.Mapped> clusters,
                                                         Set<ClusterId> allIds) {
        if (from.equals(id)) {
            return Optional.of("a cluster cannot be restored from itself; name another cluster's team/stage.");
        }
        if (!allIds.contains(from)) {
            return Optional.of("the restore source " + from + " is not a cluster of this repository (clusters/"
                    + from + ".yaml does not exist); name an existing team/stage.");
        }
        if (clusters.containsKey(from) && clusters.get(from).cluster().backup().isEmpty()) {
            return Optional.of("the restore source " + from + " has no `backup:`, so there are no backups to "
                    + "restore from; add `backup: {repository: …}` to " + from + " first.");
        }
        return Optional.empty();
    }
}
