package io.pgrds.app;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.plan.Confirmations;
import io.pgrds.plan.FleetPlan;
import java.util.Map;

/**
 * A plan with what it was made from: the fleet at its commit, the observation of each cluster, and what the operator
 * confirmed. Apply needs all of it: the recheck under the lock plans again from the same fleet and confirmations.
 */
public record Planned(DesiredFleet fleet, Map<ClusterId, ObservedCluster> observed, FleetPlan plan,
                      Confirmations confirmations) {
    public Planned {
        observed = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(observed));
    }
}
