package io.pgrds.daemon;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.plan.Action;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.Refusal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Turns what one run found and did into the cluster's status and its one sentence. Pure: no I/O, no clock. */
public final class Outcomes {
    private Outcomes() {
    }

    /**
     * What one run of a cluster's job found and did.
     *
     * @param plan    empty when the run failed before planning
     * @param split   what the policy let the daemon apply; empty lists when not planned
     * @param applied how many of {@code split.apply()} were carried out
     * @param stopped true when the daemon stopped between actions
     * @param error   why the run failed (reading, observing, or an action)
     * @param dangers what is dangerous after the run (two nodes accepting writes): the plan's, or, when the run
     *                applied something, what the observation after it shows
     * @param figures what the run measured (lag in time, WAL, the repository's backups when read in this run)
     */
    public record Run(ClusterId id, Optional<ReconcilePolicy> policy, Optional<String> commit,
                      Optional<ClusterPlan> plan, Policy.Split split, int applied, boolean stopped,
                      Optional<String> error, SortedMap<String, String> nodes, SortedMap<String, Long> lag,
                      Instant startedAt, long millis, List<String> dangers, Figures figures) {
        public Run {
            dangers = List.copyOf(dangers);
        }

        /** A run without figures. */
        public Run(ClusterId id, Optional<ReconcilePolicy> policy, Optional<String> commit,
                   Optional<ClusterPlan> plan, Policy.Split split, int applied, boolean stopped,
                   Optional<String> error, SortedMap<String, String> nodes, SortedMap<String, Long> lag,
                   Instant startedAt, long millis, List<String> dangers) {
            this(id, policy, commit, plan, split, applied, stopped, error, nodes, lag, startedAt, millis, dangers,
                    Figures.NONE);
        }

        /** A run without dangers. */
        public Run(ClusterId id, Optional<ReconcilePolicy> policy, Optional<String> commit,
                   Optional<ClusterPlan> plan, Policy.Split split, int applied, boolean stopped,
                   Optional<String> error, SortedMap<String, String> nodes, SortedMap<String, Long> lag,
                   Instant startedAt, long millis) {
            this(id, policy, commit, plan, split, applied, stopped, error, nodes, lag, startedAt, millis, List.of());
        }

        /** A run that failed before it had a plan. */
        public static Run failed(ClusterId id, Optional<ReconcilePolicy> policy, Optional<String> commit,
                                 String error, Instant startedAt, long millis) {
            return new Run(id, policy, commit, Optional.empty(), new Policy.Split(List.of(), List.of()), 0, false,
                    Optional.of(error), new TreeMap<>(), new TreeMap<>(), startedAt, millis);
        }
    }

    public static Sync sync(Run run) {
        if (run.error().isPresent()) {
            return Sync.ERROR;
        }
        ClusterPlan plan = run.plan().orElseThrow();
        if (plan.refused()) {
            return Sync.REFUSED;
        }
        return run.applied() == plan.actions().size() ? Sync.SYNCED : Sync.OUT_OF_SYNC;
    }

    static String result(Run run) {
        Sync sync = sync(run);
        if (sync == Sync.ERROR) {
            return "error";
        }
        if (sync == Sync.REFUSED) {
            return "refused";
        }
        int planned = run.plan().orElseThrow().actions().size();
        if (planned == 0) {
            return "synced";
        }
        if (run.stopped()) {
            return "stopped";
        }
        if (run.applied() == planned) {
            return "applied";
        }
        if (run.policy().filter(p -> p == ReconcilePolicy.OBSERVE).isPresent()) {
            return "observed";
        }
        return run.applied() > 0 ? "partial" : "held";
    }

    /** The status after {@code run}; the last applied commit carries over from {@code previous} unless synced now. */
    public static ClusterStatus status(ClusterStatus previous, Run run) {
        Sync sync = sync(run);
        List<String> differences = run.plan().map(p -> p.actions().stream().map(Action::describe).toList())
                .orElse(List.of());
        List<String> held = run.plan().map(p -> p.actions().subList(Math.min(run.applied(), p.actions().size()),
                p.actions().size()).stream().map(Action::describe).toList()).orElse(List.of());
        Optional<Refusal> refusal = run.plan().flatMap(p -> p.refusals().stream().findFirst());
        Optional<String> message = run.error().or(() -> refusal.map(Refusal::message));
        Optional<String> appliedCommit = previous.lastAppliedCommit();
        Optional<Instant> appliedAt = previous.lastAppliedAt();
        if (sync == Sync.SYNCED && (run.applied() > 0 || !run.commit().equals(appliedCommit)
                || appliedAt.isEmpty())) {
            appliedCommit = run.commit();
            appliedAt = Optional.of(run.startedAt().plusMillis(run.millis()));
        }
        // a run that read no catalog (not due, or failed before) keeps the last reading: it is still the best known
        Figures figures = run.figures().repository().isPresent() ? run.figures()
                : run.figures().withRepository(previous.figures().repository());
        return new ClusterStatus(run.id(), run.policy().map(p -> p.name().toLowerCase(Locale.ROOT)), sync,
                differences, held, refusal.map(Refusal::code), message, run.commit(), appliedCommit, appliedAt,
                Optional.of(run.startedAt()), run.millis(), result(run),
                run.plan().map(p -> p.actions().size()).orElse(0), run.applied(), run.nodes(), run.lag(),
                sentence(run), previous.backups(), run.plan().map(ClusterPlan::warnings).orElse(previous.warnings()),
                run.error().isPresent() && run.plan().isEmpty() ? previous.dangers() : run.dangers(),
                previous.lastRunBy(), figures);
    }

    /**
     * The one sentence a run ends with, e.g. {@code orderdata/integration: no action, pg1 primary, 1 standby
     * streaming, commit 3f2a1c9}.
     */
    public static String sentence(Run run) {
        String commit = run.commit().map(c -> ", commit " + shortCommit(c)).orElse("");
        if (run.error().isPresent()) {
            return run.id() + ": error, " + oneLine(run.error().get()) + appliedSoFar(run) + commit;
        }
        ClusterPlan plan = run.plan().orElseThrow();
        if (plan.refused()) {
            Refusal r = plan.refusals().get(0);
            return run.id() + ": refused (" + r.code() + "), " + oneLine(r.message()) + ", nothing applied" + commit;
        }
        int planned = plan.actions().size();
        String policy = run.policy().map(p -> p.name().toLowerCase(Locale.ROOT)).orElse("?");
        StringBuilder s = new StringBuilder(plan.decision());
        if (planned == 0) {
            return s.append(commit).toString();
        }
        List<Action> held = plan.actions().subList(run.applied(), planned);
        if (run.stopped()) {
            s.append(", stopped by shutdown after ").append(run.applied()).append(" of ").append(planned)
                    .append(planned == 1 ? " action" : " actions");
        } else if (run.applied() == planned) {
            s.append(", applied ").append(planned).append(planned == 1 ? " action" : " actions");
        } else if (run.policy().filter(p -> p == ReconcilePolicy.OBSERVE).isPresent()) {
            s.append(", not applied (policy observe)");
        } else {
            s.append(run.applied() == 0 ? ", nothing applied" : ", applied " + run.applied() + " of " + planned
                    + " actions").append(", held back by policy ").append(policy).append(": ")
                    .append(held.stream().map(Action::describe).collect(Collectors.joining(", ")));
        }
        return s.append(commit).toString();
    }

    private static String appliedSoFar(Run run) {
        return run.applied() > 0 ? " (after applying " + run.applied() + (run.applied() == 1 ? " action)"
                : " actions)") : "";
    }

    static String shortCommit(String commit) {
        return commit.length() > 7 ? commit.substring(0, 7) : commit;
    }

    private static String oneLine(String text) {
        String first = text.strip().lines().findFirst().orElse("");
        return first.endsWith(".") ? first.substring(0, first.length() - 1) : first;
    }
}
