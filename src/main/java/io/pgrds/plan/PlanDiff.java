package io.pgrds.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether two plans of one cluster do the same: the same actions, by {@link Action#identity()}, in the same order.
 * The prose (reasons, risks, positions quoted in them) may differ; what is done may not.
 */
public final class PlanDiff {
    private PlanDiff() {
    }

    /**
     * What differs between the plan that was approved and the one made now, one line each; empty when they do the
     * same. A plan that is refused now differs from any approved one.
     */
    public static List<String> differences(ClusterPlan approved, ClusterPlan now) {
        List<String> out = new ArrayList<>();
        if (now.refused()) {
            now.refusals().forEach(r -> out.add("now refused " + r.code() + ": " + r.message()));
            return out;
        }
        // how a node is started and stopped is part of what is done: a node that systemd runs now (or no longer)
        approved.startStop().forEach((node, how) -> {
            String nowHow = now.startStop().get(node);
            if (nowHow != null && !nowHow.equals(how)) {
                out.add(node + " is now started and stopped by " + nowHow + ", not " + how);
            }
        });
        List<String> before = approved.actions().stream().map(Action::identity).toList();
        List<String> after = now.actions().stream().map(Action::identity).toList();
        if (before.equals(after)) {
            return out;
        }
        for (String a : before) {
            if (!after.contains(a)) {
                out.add("no longer: " + a);
            }
        }
        for (String a : after) {
            if (!before.contains(a)) {
                out.add("now also: " + a);
            }
        }
        if (out.isEmpty()) {
            out.add("the same actions in another order: " + String.join(", ", after));
        }
        if (after.isEmpty()) {
            out.add("now: no changes (" + now.decision() + ")");
        }
        return out;
    }
}
