package io.pgrds.app;

import io.pgrds.apply.Recheck;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.Observer;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.Confirmations;
import io.pgrds.plan.FleetPlan;
import io.pgrds.plan.Planner;
import io.pgrds.plan.SavedPlan;
import io.pgrds.transport.Sessions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Observes clusters and plans them: afresh, or by checking that a saved plan still holds. */
public final class PlanService {
    private final Sessions sessions;
    private final ObserveSettings settings;

    /** @param sessions the connections to observe over; apply carries out the plan over the same ones */
    public PlanService(Sessions sessions, ObserveSettings settings) {
        this.sessions = sessions;
        this.settings = settings;
    }

    /** Observes the selected clusters, keyed by id in the order given; the fleet gives a restore's source. */
    public Map<ClusterId, ObservedCluster> observe(DesiredFleet fleet, List<DesiredCluster> selected) {
        Map<ClusterId, ObservedCluster> map = new LinkedHashMap<>();
        for (ObservedCluster c : observer(fleet).observe(selected)) {
            map.put(c.id(), c);
        }
        return map;
    }

    /** Observes one cluster. */
    public ObservedCluster observe(DesiredFleet fleet, DesiredCluster cluster) {
        return observer(fleet).observe(cluster);
    }

    /**
     * Observes the selected clusters and plans them with what the operator confirmed. A confirmation naming a node no
     * observed cluster knows is a usage error: a typo in {@code --fenced} must not pass silently.
     */
    public Planned plan(DesiredFleet fleet, List<DesiredCluster> selected, Confirmations confirmations) {
        Map<ClusterId, ObservedCluster> observed = observe(fleet, selected);
        List<String> unknown = confirmations.unknown(observed.values());
        if (!unknown.isEmpty()) {
            throw new PgrdsException(ErrorCode.USAGE, "--fenced " + String.join(", ", unknown) + " names no node of "
                    + "the selected clusters (known: " + String.join(", ", Confirmations.known(observed.values()))
                    + "). Name the former primary as the plan's refusal names it.");
        }
        FleetPlan plan = Planner.plan(new DesiredFleet(fleet.commit(), selected, List.of()), observed, confirmations);
        return new Planned(fleet, observed, plan, confirmations);
    }

    /** Plans one observed cluster (the daemon, which has observed it already). */
    public ClusterPlan plan(DesiredCluster desired, ObservedCluster observed) {
        return Planner.plan(desired, observed);
    }

    /** Plans one observed cluster with what it was told (the watching daemon: the primary it lost). */
    public ClusterPlan plan(DesiredCluster desired, ObservedCluster observed, Confirmations confirmations) {
        return Planner.plan(desired, observed, confirmations);
    }

    /** What is dangerous in a cluster as observed: two writable primaries. */
    public List<String> dangers(DesiredCluster desired, ObservedCluster observed) {
        return Planner.dangers(desired, observed);
    }

    /**
     * A saved plan, its clusters observed afresh: refused as PLAN_STALE when the servers changed since it was made
     * (or a backup it restores is gone), so that what is applied is exactly what was reviewed.
     *
     * @param fleet the fleet at the plan's commit
     * @param file  where the plan was read from, for the message
     */
    public Planned saved(SavedPlan saved, DesiredFleet fleet, String file) {
        List<ClusterId> ids = saved.clusters().stream().map(ClusterPlan::id).toList();
        List<DesiredCluster> selected = fleet.clusters().stream().filter(c -> ids.contains(c.id())).toList();
        Map<ClusterId, ObservedCluster> observed = observe(fleet, selected);
        List<String> stale = saved.staleness(observed);
        if (!stale.isEmpty()) {
            throw new PgrdsException(ErrorCode.PLAN_STALE, "the saved plan " + file + " is stale: the servers "
                    + "changed since it was made:\n  " + String.join("\n  ", stale)
                    + "\nNothing was applied. Run pgrds plan again and review the new plan.");
        }
        return new Planned(fleet, observed, saved.plan(), saved.confirmations());
    }

    /**
     * How apply looks again under the cluster's lock: observe afresh, plan with the same confirmations, then cut the
     * plan as the approved one was cut (the daemon's policy; the identity for a person).
     */
    public Recheck recheck(DesiredFleet fleet, Confirmations confirmations, UnaryOperator<ClusterPlan> cut) {
        return new Recheck() {
            @Override
            public ObservedCluster observe(DesiredCluster desired) {
                return PlanService.this.observe(fleet, desired);
            }

            @Override
            public ClusterPlan plan(DesiredCluster desired, ObservedCluster now) {
                return cut.apply(Planner.plan(desired, now, confirmations));
            }
        };
    }

    private Observer observer(DesiredFleet fleet) {
        return new Observer(sessions, settings.parallel(), settings.deadline(), fleet::cluster);
    }
}
