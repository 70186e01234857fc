package io.pgrds.app;

import io.pgrds.apply.ApplyListener;
import io.pgrds.apply.ApplyOutcome;
import io.pgrds.apply.Detacher;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.Durability;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.plan.Action;
import io.pgrds.plan.ActionKind;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.Confirmations;
import io.pgrds.plan.Refusal;
import io.pgrds.transport.Sessions;
import io.pgrds.util.Units;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * What the watching daemon does when a cluster's primary answered no health check for {@code failoverAfter}: observe
 * the cluster and plan with that fact, as any plan is made — a server that stopped on a host that answers is started
 * again; a primary that cannot be seen stopped is failed over only when that is safe (fenced by the hook, or by a
 * quorum of standbys detached first), never while a standby still hears from it; then apply the part of the plan that
 * brings writes back, under the cluster's lock with the same recheck as every apply.
 */
public final class FailoverService {
    /** What a recovery applies; everything else in the plan waits for the regular runs and their policy. */
    static final Set<ActionKind> RECOVERY = EnumSet.of(ActionKind.FENCE, ActionKind.START_NODE, ActionKind.PROMOTE,
            ActionKind.REPOINT, ActionKind.REJOIN, ActionKind.REGISTER_ENDPOINT);

    private final Sessions sessions;
    private final ObserveSettings settings;
    private final ApplyListener listener;
    private final ApplySettings who;

    public FailoverService(Sessions sessions, ObserveSettings settings, ApplyListener listener, ApplySettings who) {
        this.sessions = sessions;
        this.settings = settings;
        this.listener = listener;
        this.who = who;
    }

    public enum Result {
        /** The primary's server was started again on its host (it had stopped; the host answers). */
        RESTARTED,
        /** A standby was promoted in its place. */
        FAILED_OVER,
        /** A standby still hears from it: pgrds alone lost it. Nothing was done. */
        VETOED,
        /** A failover would not be safe (or is not possible); nothing was done but what the sentence says. */
        REFUSED,
        /** Nothing to do: it answers again, or another run recovered it. */
        RECOVERED,
        /** The recovery was tried and failed; the sentence says where. */
        FAILED
    }

    /**
     * @param primary  the node now primary, when known
     * @param detached the standbys detached from the lost primary for a quorum
     */
    public record Outcome(Result result, String sentence, Optional<String> primary, List<String> detached,
                          Optional<ApplyOutcome> applied) {
        static Outcome of(Result result, String sentence) {
            return new Outcome(result, sentence, Optional.empty(), List.of(), Optional.empty());
        }
    }

    /**
     * Recovers a cluster whose primary was lost.
     *
     * @param crashLoop the primary's server stopped again and again on a host that answers: keep it stopped and fail
     *                  over instead of starting it once more
     * @param lastLag   per standby, the bytes it lacked on the last health check that succeeded: with async durability,
     *                  what a promotion of it would lose at most
     */
    public Outcome recover(DesiredFleet fleet, DesiredCluster c, Confirmations.Lost lost, boolean crashLoop,
                           Map<String, Long> lastLag, BooleanSupplier stopping) {
        PlanService plans = new PlanService(sessions, settings);
        Confirmations told = new Confirmations(Set.of(), Optional.of(lost), crashLoop ? Set.of(lost.node()) : Set.of(),
                true);
        ObservedCluster observed = plans.observe(fleet, c);
        ClusterPlan plan = plans.plan(c, observed, told);
        List<String> detached = List.of();
        if (plan.refused() && codes(plan).equals(Set.of("FORMER_PRIMARY_NOT_FENCED"))
                && c.durability() instanceof Durability.Quorum q) {
            int needed = q.toDetach(c.nodes().size() - 1);
            List<String> reachable = observed.nodes().stream().filter(n -> c.node(n.name()).isPresent()
                    && !n.name().equals(lost.node()) && n.state() == NodeState.STANDBY && n.running())
                    .map(ObservedNode::name).toList();
            if (reachable.size() < needed) {
                return Outcome.of(Result.REFUSED, c.id() + ": " + lost.node() + " is lost, but only "
                        + reachable.size() + " of its standbys run and can be reached (" + String.join(", ", reachable)
                        + "); a failover with quorum " + q.k() + " needs " + needed + " of them detached first, so "
                        + "that every acknowledged commit is on one of them. Nothing was changed; bring a standby back.");
            }
            detached = new Detacher(sessions, listener).detach(c, reachable, lost.node(), who.user(), who.host());
            if (detached.size() < needed) {
                return new Outcome(Result.FAILED, c.id() + ": " + lost.node() + " is lost; only " + detached.size()
                        + " of the " + needed + " standbys a quorum failover needs could be detached ("
                        + String.join(", ", detached) + "). The next check tries again.", Optional.empty(), detached,
                        Optional.empty());
            }
            observed = plans.observe(fleet, c);
            plan = plans.plan(c, observed, told);
        }
        if (plan.refused()) {
            boolean alive = codes(plan).contains("FORMER_PRIMARY_ALIVE");
            return new Outcome(alive ? Result.VETOED : Result.REFUSED, c.id() + ": " + lost.node() + " answered no "
                    + "health check for " + Units.millis(lost.failedForMillis()) + ", and "
                    + (alive ? "a standby still hears from it: pgrds alone lost it. No failover. " : "no failover: ")
                    + plan.refusals().stream().map(Refusal::message).collect(Collectors.joining(" "))
                    + (!alive && c.durability() instanceof Durability.Async && c.fence().isEmpty() ? " With async "
                    + "durability and no fence hook, a primary whose host stops answering is never failed over "
                    + "automatically (only a crash on a host that answers is handled): add durability: {quorum: 1} "
                    + "or a fence hook to " + c.file() + "." : ""),
                    Optional.empty(), detached, Optional.empty());
        }
        Optional<Action.Promote> promote = plan.actions().stream().filter(a -> a instanceof Action.Promote)
                .map(a -> (Action.Promote) a).findFirst();
        boolean restart = plan.actions().stream().anyMatch(a -> a instanceof Action.StartNode s
                && s.node().equals(lost.node()));
        if (promote.isEmpty() && !restart) {
            return Outcome.of(Result.RECOVERED, c.id() + ": " + lost.node() + " needs no recovery now ("
                    + plan.decision() + ")");
        }
        if (promote.isPresent() && c.durability() instanceof Durability.Async) {
            Long lag = lastLag.get(promote.get().node());
            if (lag == null || lag > c.failover().maxLagBytes()) {
                return Outcome.of(Result.REFUSED, c.id() + ": " + lost.node() + " is lost, but " + promote.get().node()
                        + (lag == null ? " was not streaming from it on the last health check, so what a promotion "
                        + "would lose is unknown" : " lacked " + Units.bytes(lag) + " of its WAL on the last health "
                        + "check, more than maxLagOnFailover " + Units.bytes(c.failover().maxLagBytes()))
                        + ". No automatic failover: fail over by hand (pgrds apply --fenced " + lost.node() + ") if "
                        + "losing that is acceptable, or bring " + lost.node() + " back.");
            }
        }
        UnaryOperator<ClusterPlan> cut = p -> p.refused() ? p : new ClusterPlan(p.id(), p.actions().stream()
                .filter(a -> RECOVERY.contains(a.kind())).toList(), List.of(), p.warnings(), p.decision(),
                p.dangers(), p.startStop());
        ApplyOutcome applied = new ApplyService(sessions, listener, who, plans).apply(fleet, c, observed, plan, told,
                cut, stopping);
        Optional<String> primary = promote.map(Action.Promote::node).or(() -> Optional.of(lost.node()));
        if (!applied.ok()) {
            return new Outcome(Result.FAILED, applied.message(), Optional.empty(), detached, Optional.of(applied));
        }
        return new Outcome(promote.isPresent() ? Result.FAILED_OVER : Result.RESTARTED, c.id() + ": " + (promote
                .isPresent() ? "failed over from " + lost.node() + " to " + promote.get().node() + " (" + promote.get()
                .fencing().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + (detached.isEmpty() ? ""
                : ": " + String.join(", ", detached) + " detached") + ")" : "restarted " + lost.node()
                + " in place (its host answers; nothing is lost)"), primary, detached, Optional.of(applied));
    }

    private static Set<String> codes(ClusterPlan plan) {
        return plan.refusals().stream().map(Refusal::code).collect(Collectors.toSet());
    }
}
