package io.pgrds.plan;

import io.pgrds.desired.ClusterId;
import java.util.List;

/**
 * What the planner decided for one cluster.
 *
 * @param actions   in the order apply carries them out; empty when refused
 * @param refusals  why nothing may be changed; when present, {@code actions} is empty
 * @param warnings  what the user must know although the plan goes ahead (fence a node, an unreachable former member)
 * @param decision  one sentence saying what was decided, e.g. {@code orderdata/integration: no action, pg1 primary,
 *                  1 standby streaming}
 * @param dangers   what is dangerous now, before anything is applied (two nodes accepting writes): shown first, and
 *                  by the daemon as a DANGER state until it is gone
 * @param startStop how apply starts and stops each node an action may start or stop: {@code pg_ctl}, or {@code systemd
 *                  pgrds@….service} where systemd runs it (the unit is then enabled at each start, disabled at each
 *                  stop); part of what an apply checks it still does
 */
public record ClusterPlan(ClusterId id, List<Action> actions, List<Refusal> refusals, List<String> warnings,
                          String decision, List<String> dangers, java.util.SortedMap<String, String> startStop) {
    /** How {@link #startStop} names a node started through its systemd unit: {@code systemd UNIT}. */
    public static final String SYSTEMD = "systemd ";
    /** How {@link #startStop} names a node started with pg_ctl. */
    public static final String PG_CTL = "pg_ctl";

    public ClusterPlan {
        startStop = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(startStop));
        actions = List.copyOf(actions);
        refusals = List.copyOf(refusals);
        warnings = List.copyOf(warnings);
        dangers = List.copyOf(dangers);
        if (!refusals.isEmpty() && !actions.isEmpty()) {
            throw new IllegalArgumentException("a refused plan changes nothing: " + id);
        }
    }

    public ClusterPlan(ClusterId id, List<Action> actions, List<Refusal> refusals, List<String> warnings,
                       String decision) {
        this(id, actions, refusals, warnings, decision, List.of());
    }

    public ClusterPlan(ClusterId id, List<Action> actions, List<Refusal> refusals, List<String> warnings,
                       String decision, List<String> dangers) {
        this(id, actions, refusals, warnings, decision, dangers, new java.util.TreeMap<>());
    }

    public boolean refused() {
        return !refusals.isEmpty();
    }

    public boolean hasChanges() {
        return !actions.isEmpty();
    }

    /** Lines of the summary with this symbol. */
    public int count(ActionKind.Symbol symbol) {
        return actions.stream().filter(a -> a.kind().symbol() == symbol).mapToInt(Action::weight).sum();
    }
}
