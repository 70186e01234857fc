package io.pgrds.app;

import io.pgrds.apply.ApplyListener;
import io.pgrds.apply.ApplyOutcome;
import io.pgrds.apply.Executor;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.Confirmations;
import io.pgrds.transport.Sessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Applies approved plans: per cluster, lock → observe and plan again → the plan's steps → markers → audit (the
 * {@link Executor}). One cluster's failure does not stop the others; each result says what happened.
 */
public final class ApplyService {
    private final Sessions sessions;
    private final ApplyListener listener;
    private final ApplySettings settings;
    private final PlanService plans;

    public ApplyService(Sessions sessions, ApplyListener listener, ApplySettings settings, PlanService plans) {
        this.sessions = sessions;
        this.listener = listener;
        this.settings = settings;
        this.plans = plans;
    }

    /** What applying one cluster came to: its outcome, or the error that ended it before or outside an action. */
    public record ClusterResult(ClusterId cluster, Optional<ApplyOutcome> outcome, Optional<PgrdsException> error) {
        public boolean ok() {
            return error.isEmpty() && outcome.map(ApplyOutcome::ok).orElse(true);
        }

        /** The error code of a failure, when there was one. */
        public Optional<ErrorCode> failure() {
            return error.map(PgrdsException::code).or(() -> ok() ? Optional.empty()
                    : Optional.of(ErrorCode.APPLY_FAILED));
        }

        /** What went wrong, as the CLI says it. */
        public String message() {
            return error.map(Throwable::getMessage).orElseGet(() -> outcome.map(ApplyOutcome::message).orElse(""));
        }
    }

    /** Applies every cluster of a plan that has changes and is not refused, in the plan's order. */
    public List<ClusterResult> apply(Planned planned) {
        DesiredFleet fleet = planned.fleet();
        Executor executor = executor(fleet, planned.confirmations(), UnaryOperator.identity());
        List<ClusterResult> out = new ArrayList<>();
        for (ClusterPlan cp : planned.plan().clusters()) {
            if (cp.refused() || !cp.hasChanges()) {
                continue;
            }
            DesiredCluster desired = fleet.cluster(cp.id()).orElseThrow();
            try {
                out.add(new ClusterResult(cp.id(), Optional.of(executor.apply(desired, planned.observed()
                        .get(cp.id()), cp, fleet.commit())), Optional.empty()));
            } catch (PgrdsException e) {
                out.add(new ClusterResult(cp.id(), Optional.empty(), Optional.of(e)));
            }
        }
        return out;
    }

    /**
     * Applies one cluster's plan as {@code cut} cuts it (the daemon's policy: the allowed prefix only); the recheck
     * under the lock cuts the new plan the same way. {@code stopping} is asked before each action.
     */
    public ApplyOutcome apply(DesiredFleet fleet, DesiredCluster desired, ObservedCluster observed, ClusterPlan plan,
                              UnaryOperator<ClusterPlan> cut, BooleanSupplier stopping) {
        return apply(fleet, desired, observed, plan, Confirmations.NONE, cut, stopping);
    }

    /** The same, planned with {@code confirmations}, with which the recheck under the lock plans again. */
    public ApplyOutcome apply(DesiredFleet fleet, DesiredCluster desired, ObservedCluster observed, ClusterPlan plan,
                              Confirmations confirmations, UnaryOperator<ClusterPlan> cut, BooleanSupplier stopping) {
        return executor(fleet, confirmations, cut).apply(desired, observed, cut.apply(plan), fleet.commit(), stopping);
    }

    private Executor executor(DesiredFleet fleet, Confirmations confirmations, UnaryOperator<ClusterPlan> cut) {
        // a restore reads its source cluster's repository and secrets: the executor sees the whole fleet
        return new Executor(sessions, listener, settings.options(), fleet::cluster, plans.recheck(fleet,
                confirmations, cut));
    }
}
