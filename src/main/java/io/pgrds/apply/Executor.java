package io.pgrds.apply;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.plan.Action;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.Fingerprint;
import io.pgrds.plan.PlanDiff;
import io.pgrds.plan.SavedPlan;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.TransportException;
import io.pgrds.util.Json;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Carries out one cluster's plan as a short chain: take the cluster's lock, observe the cluster again and plan
 * again (stop unless the plan is the approved one), write the markers from that observation, perform each action
 * through its step (every step checks its own precondition on the servers first), write the markers again, append
 * the audit record, release the lock. A run stopped at any point is finished by the next plan and apply with no data
 * lost: data directories being created are flagged until complete, a switchover rolls back if the target does not
 * catch up, nothing ever deletes data that pgrds did not just create itself.
 */
public final class Executor {
    private final Sessions sessions;
    private final ApplyListener listener;
    private final Options options;
    private final Function<ClusterId, Optional<DesiredCluster>> fleet;
    private final Recheck recheck;

    /** @param streamingTimeout how long a new or repointed standby may take to stream */
    public record Options(boolean dryRun, Duration lockTimeout, Duration streamingTimeout, String user, String host) {
        public static Options defaults(boolean dryRun) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "unknown";
            }
            return new Options(dryRun, Duration.ofMinutes(5), Duration.ofMinutes(2),
                    System.getProperty("user.name", "unknown"), host);
        }
    }

    /**
     * @param fleet   other clusters of the fleet, by id: a restore reads its source's repository and secrets
     * @param recheck how the cluster is observed and planned again under the lock
     */
    public Executor(Sessions sessions, ApplyListener listener, Options options,
                    Function<ClusterId, Optional<DesiredCluster>> fleet, Recheck recheck) {
        this.sessions = sessions;
        this.listener = listener;
        this.options = options;
        this.fleet = fleet;
        this.recheck = recheck;
    }

    /**
     * Applies an approved plan. Nothing at all is done without the lock, and nothing is done unless the plan made
     * again under it does exactly what the approved one does ({@link StaleApplyException}, nothing written). An
     * action that fails ends the apply there: the outcome says which and why. A dry run takes no lock and shows
     * the approved plan's commands.
     *
     * @param observed the observation the approved plan was made from
     */
    public ApplyOutcome apply(DesiredCluster desired, ObservedCluster observed, ClusterPlan plan,
                              Optional<String> commit) {
        return apply(desired, observed, plan, commit, () -> false);
    }

    /**
     * The same; {@code stopping} is asked before each action, and when it says so the apply ends there, never inside
     * an action (the daemon's graceful stop): the outcome says it stopped, the next run does the rest.
     */
    public ApplyOutcome apply(DesiredCluster desired, ObservedCluster observed, ClusterPlan plan,
                              Optional<String> commit, java.util.function.BooleanSupplier stopping) {
        if (plan.refused()) {
            throw new ApplyException("the plan for " + desired.id() + " was refused; nothing was applied: "
                    + plan.refusals().get(0).message());
        }
        if (plan.actions().isEmpty()) {
            return new ApplyOutcome(desired.id(), List.of(), Optional.empty(), Optional.empty(), false, false,
                    audit(desired, commit, List.of(), "no changes"));
        }
        context(desired, observed, commit).preflight(plan);
        ClusterLock lock = options.dryRun() ? null : ClusterLock.acquire(context(desired, observed, commit)
                .reachable(), holder(commit), options.lockTimeout(), listener, desired.id(), options.host());
        try {
            FaultPoint.reached(FaultPoint.APPLY_LOCKED);
            ApplyContext ctx = context(desired, options.dryRun() ? observed : recheck(desired, observed, plan,
                    commit), commit);
            return run(ctx, plan, stopping);
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    private ApplyContext context(DesiredCluster desired, ObservedCluster observed, Optional<String> commit) {
        return new ApplyContext(desired, observed, commit, sessions, listener, options, fleet);
    }

    /** Under the lock, after the recheck: the markers, each action in order, the markers again, the audit. */
    private ApplyOutcome run(ApplyContext ctx, ClusterPlan plan, java.util.function.BooleanSupplier stopping) {
        List<Audit.Entry> entries = new ArrayList<>();
        boolean stopped = false;
        List<String> applied = new ArrayList<>();
        Optional<String> failedAt = Optional.empty();
        Optional<String> failure = Optional.empty();
        try {
            // a restore needs the source's passwords: read over the network from now on, while the markers are
            // written and the node prepared, instead of in the restore's own path
            plan.actions().stream().filter(a -> a instanceof Action.RestorePrimary).findFirst().ifPresent(a -> ctx
                    .prefetchSourceSecrets(((Action.RestorePrimary) a).from()));
            ctx.writeMarkers(false); // in a dry run: shown, not written
            FaultPoint.reached(FaultPoint.APPLY_CHECKED);
            Steps steps = new Steps(ctx);
            for (Action action : plan.actions()) {
                if (stopping.getAsBoolean()) {
                    stopped = true;
                    break;
                }
                Optional<String> why = perform(ctx, steps, action, entries);
                if (why.isPresent()) {
                    failedAt = Optional.of(action.describe());
                    failure = why;
                    break;
                }
                applied.add(action.describe());
            }
            if (failure.isEmpty() && !stopped) {
                ctx.writeMarkers(true);
            }
        } finally {
            // never left reading over the caller's connections after the apply
            ctx.awaitPrefetch();
            if (!options.dryRun()) {
                ctx.appendAudit(audit(ctx.desired, ctx.commit, entries, failure.isEmpty() ? "ok" : "failed"));
            }
        }
        return new ApplyOutcome(ctx.id(), applied, failedAt, failure, ctx.promoted, stopped, audit(ctx.desired,
                ctx.commit, entries, failure.isEmpty() ? "ok" : "failed"));
    }

    /** One action through its step, timed and reported; returns why it failed, if it did. */
    private Optional<String> perform(ApplyContext ctx, Steps steps, Action action, List<Audit.Entry> entries) {
        Instant start = Instant.now();
        listener.actionStarted(ctx.id(), action);
        try {
            steps.perform(action);
        } catch (RuntimeException e) {
            Duration took = Duration.between(start, Instant.now());
            String why = e instanceof TransportException ? "node unreachable: " + e.getMessage() : e.getMessage();
            listener.actionFailed(ctx.id(), action, took, why);
            entries.add(new Audit.Entry(action.describe(), "failed", took.toMillis(), Optional.of(why)));
            return Optional.of(why);
        }
        Duration took = Duration.between(start, Instant.now());
        listener.actionFinished(ctx.id(), action, took);
        entries.add(new Audit.Entry(action.describe(), options.dryRun() ? "dry-run" : "done", took.toMillis(),
                Optional.empty()));
        return Optional.empty();
    }

    /**
     * Under the lock: observes the cluster again and plans again; returns the fresh observation when that plan does
     * what the approved one does. Otherwise stops before anything is written: what changed on the servers, and
     * what the plan would be now.
     */
    private ObservedCluster recheck(DesiredCluster desired, ObservedCluster before, ClusterPlan approved,
                                    Optional<String> commit) {
        ObservedCluster now = recheck.observe(desired);
        ClusterPlan again = recheck.plan(desired, now);
        List<String> changed = new ArrayList<>(PlanDiff.differences(approved, again));
        changed.addAll(SavedPlan.missingBackups(approved, Optional.of(now)));
        if (changed.isEmpty()) {
            return now;
        }
        List<String> moved = Fingerprint.differences(before, now);
        String message = desired.id() + ": the servers changed since this plan was made"
                + (moved.isEmpty() ? "" : " (" + String.join("; ", moved) + ")") + ", and the plan is now different:\n  "
                + String.join("\n  ", changed) + "\nNothing was applied. Review the new plan with pgrds plan "
                + desired.id() + ", then apply again.";
        appendRefusedAudit(desired, now, commit, "stale: " + String.join("; ", changed));
        throw new StaleApplyException(message);
    }

    /** The history records an apply that stopped before acting, so the operator sees it; nothing else is written. */
    private void appendRefusedAudit(DesiredCluster desired, ObservedCluster now, Optional<String> commit,
                                    String why) {
        try {
            context(desired, now, commit).appendAudit(audit(desired, commit, List.of(new Audit.Entry(
                    "recheck under the lock", "stale", 0, Optional.of(why))), "stale"));
        } catch (RuntimeException e) {
            // the refusal itself is what matters; the history is a courtesy
        }
    }

    private Audit audit(DesiredCluster desired, Optional<String> commit, List<Audit.Entry> entries, String outcome) {
        return new Audit(Instant.now().toString(), options.user(), options.host(), desired.id().toString(), commit,
                options.dryRun(), entries, outcome);
    }

    private String holder(Optional<String> commit) {
        var o = Json.mapper().createObjectNode();
        o.put("user", options.user());
        o.put("host", options.host());
        o.put("pid", ProcessHandle.current().pid());
        o.put("since", Instant.now().toString());
        o.put("commit", commit.orElse(null));
        return o.toString();
    }
}
