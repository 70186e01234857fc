package io.pgrds.plan;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Decides what to do to make one cluster's servers match its file. A pure function of its two arguments: no
 * I/O, no clock, no randomness; the same input gives the same plan.
 *
 * <p>Read {@link #plan(DesiredCluster, ObservedCluster)} top-down: refuse on incomplete or unsafe observations,
 * decide the primary (keep, start, create, hand over, fail over), then bring every other node in line, then
 * configuration, roles and the endpoint.
 */
public final class Planner {
    /** A pinned standby further behind than this is not switched over to (the wait would block writes). */
    public static final long SWITCHOVER_MAX_LAG_BYTES = PrimaryRules.SWITCHOVER_MAX_LAG_BYTES;
    /** A WAL receiver that heard from its sender this recently (milliseconds) proves that sender alive. */
    public static final long RECEIVED_RECENTLY_MILLIS = FailoverRules.RECEIVED_RECENTLY_MILLIS;

    private Planner() {
    }

    /** Plans every cluster of the fleet; a cluster without an observation is refused as not observed. */
    public static FleetPlan plan(DesiredFleet fleet, Map<ClusterId, ObservedCluster> observed) {
        return plan(fleet, observed, Confirmations.NONE);
    }

    /** The same, with what the operator confirmed on the command line ({@code --fenced}). */
    public static FleetPlan plan(DesiredFleet fleet, Map<ClusterId, ObservedCluster> observed,
                                 Confirmations confirmations) {
        List<ClusterPlan> plans = new ArrayList<>();
        for (DesiredCluster c : fleet.clusters()) {
            plans.add(plan(c, observed.getOrDefault(c.id(), new ObservedCluster(c.id(), List.of())), confirmations));
        }
        return new FleetPlan(fleet.commit(), plans);
    }

    public static ClusterPlan plan(DesiredCluster desired, ObservedCluster observed) {
        return plan(desired, observed, Confirmations.NONE);
    }

    /** What is dangerous in an observation, whatever the plan: two nodes accepting writes. */
    public static List<String> dangers(DesiredCluster desired, ObservedCluster observed) {
        return dangers(new Facts(desired, observed));
    }

    /** Two writable primaries; a quorum the primary cannot collect. */
    private static List<String> dangers(Facts f) {
        List<String> out = new ArrayList<>(PrimaryRules.dangers(f));
        out.addAll(HaRules.dangers(f));
        return out;
    }

    /**
     * Plans one cluster.
     *
     * @throws IllegalArgumentException when the desired cluster is not one the loader accepts (no nodes, or a pin
     *                                  that names no node)
     */
    public static ClusterPlan plan(DesiredCluster desired, ObservedCluster observed, Confirmations confirmations) {
        if (desired.nodes().isEmpty()) {
            throw new IllegalArgumentException(desired.id() + " has no nodes; the loader rejects such a file");
        }
        if (desired.primary().filter(p -> desired.node(p).isEmpty()).isPresent()) {
            throw new IllegalArgumentException(desired.id() + " pins " + desired.primary().get()
                    + ", which is not one of its nodes; the loader rejects such a file");
        }
        Facts f = new Facts(desired, observed, confirmations);
        List<String> dangers = dangers(f);
        List<Refusal> refusals = Checks.refusals(f);
        if (!refusals.isEmpty()) {
            return refused(f, refusals, List.of(), dangers);
        }
        Draft x = new Draft();
        PrimaryDecision decided = PrimaryRules.decide(f, x);
        if (!(decided instanceof PrimaryDecision.Decided d)) {
            return refused(f, decided.refusals(), x.warnings, dangers);
        }
        String primary = d.primary();
        // the lost primary pgrds cannot see gets no action: it rejoins once it can be seen (stale primary rules)
        f.confirmations.lost().map(Confirmations.Lost::node).filter(f::isLost).filter(n -> f.node(n)
                .filter(o -> o.state() == NodeState.UNREACHABLE || o.state() == NodeState.UNKNOWN).isPresent())
                .ifPresent(x.settled::add);
        x.headline = d.sentence();
        x.primaryChanges = d.changesPrimary();
        MembershipRules.otherMembers(f, x, primary);
        MembershipRules.formerMembers(f, x);
        ConfigRules.hba(f, x, primary);
        ConfigRules.parameters(f, x, primary);
        ConfigRules.roles(f, x, primary);
        ConfigRules.backup(f, x, primary);
        ConfigRules.endpoint(f, x, primary);
        BootRules.atBoot(f, x);
        List<Action> actions = x.actions();
        x.warnings.addAll(ArchivingRule.archiving(f));
        x.warnings.addAll(HaRules.warnings(f));
        return new ClusterPlan(desired.id(), actions, List.of(), x.warnings, Sentences.decision(f, x, primary, actions)
                + HaRules.suffix(f), dangers, BootRules.startStop(f, actions));
    }

    private static ClusterPlan refused(Facts f, List<Refusal> refusals, List<String> warnings,
                                       List<String> dangers) {
        String codes = refusals.stream().map(r -> r.code() + r.node().map(n -> " " + n).orElse(""))
                .collect(Collectors.joining("; "));
        List<String> all = new ArrayList<>(warnings);
        all.addAll(ArchivingRule.archiving(f));
        all.addAll(HaRules.warnings(f));
        return new ClusterPlan(f.desired.id(), List.of(), refusals, all,
                f.id + ": refused (" + codes + "), nothing will change", dangers);
    }
}
