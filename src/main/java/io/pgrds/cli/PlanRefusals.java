package io.pgrds.cli;

import io.pgrds.error.ErrorCode;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.FleetPlan;
import java.util.List;
import java.util.stream.Collectors;

/** A refused cluster is an error line of its own and the PLAN_REFUSED status. */
final class PlanRefusals {
    private PlanRefusals() {
    }

    /** Prints one error line per refused cluster; the exit status: PLAN_REFUSED's, or 0 when none was refused. */
    static int print(Terminal t, FleetPlan plan) {
        List<ClusterPlan> refused = plan.clusters().stream().filter(ClusterPlan::refused).toList();
        for (ClusterPlan c : refused) {
            t.error(ErrorCode.PLAN_REFUSED, c.id() + ": " + c.refusals().stream().map(r -> r.code() + ": "
                    + r.message() + " Next: " + r.nextStep()).collect(Collectors.joining(" | "))
                    + " Nothing was changed on " + c.id() + ".");
        }
        return refused.isEmpty() ? 0 : ErrorCode.PLAN_REFUSED.exitCode();
    }
}
