package io.pgrds.cli;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.Observer;
import io.pgrds.plan.FleetPlan;
import io.pgrds.plan.Planner;
import io.pgrds.plan.SavedPlan;
import io.pgrds.render.PlanRenderer;
import io.pgrds.render.SavedPlanJson;
import io.pgrds.transport.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Observe the nodes and show exactly what apply would do, with the reason and risk of every "
                + "action, or why pgrds refuses to act. Changes nothing.",
                "Exit status: 0 (no changes, or changes without --detailed-exitcode), 2 changes present with "
                        + "--detailed-exitcode, 3 refused; other errors as in the README's table."})
final class PlanCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Mixin
    private ObserveOptions observe;

    @Mixin
    private ConfirmOptions confirm;

    @Parameters(paramLabel = "CLUSTER", arity = "0..*", description = "team/stage or a team (default: all).")
    private List<String> clusters = new ArrayList<>();

    @Option(names = "--json", description = "Print the documented JSON format (docs/plan-json.md).")
    private boolean json;

    @Option(names = "--out", paramLabel = "FILE", description = "Save the plan; `pgrds apply FILE` applies exactly it "
            + "and refuses if the servers changed since.")
    private Path out;

    @Option(names = "--detailed-exitcode", description = "Exit 2 when the plan has changes, 0 when it has none.")
    private boolean detailedExitcode;

    @Override
    public Integer call() {
        Terminal t = top.terminal();
        DesiredFleet fleet = top.fleet();
        List<DesiredCluster> selected = Selection.select(fleet, clusters);
        Map<ClusterId, ObservedCluster> observed = observe(fleet, selected, observe);
        confirm.check(observed);
        FleetPlan plan = Planner.plan(new DesiredFleet(fleet.commit(), selected, List.of()), observed,
                confirm.confirmations());
        t.out().print(json ? PlanRenderer.json(plan) : PlanRenderer.text(plan, t.colour()));
        if (out != null) {
            try {
                Files.write(out, SavedPlanJson.write(SavedPlan.of(plan, observed, confirm.confirmations())));
            } catch (IOException e) {
                throw new PgrdsException(ErrorCode.IO, "cannot write the plan to " + out + ": " + e.getMessage());
            }
            if (!json) {
                t.out().println("Saved the plan to " + out + "; apply exactly it with: pgrds apply " + out);
            }
        }
        if (plan.refused()) {
            return ApplyCommand.refused(t, plan);
        }
        return detailedExitcode && plan.hasChanges() ? 2 : 0;
    }

    /** Observes the clusters, keyed by id, in the order given. */
    static Map<ClusterId, ObservedCluster> observe(DesiredFleet fleet, List<DesiredCluster> selected,
                                                   ObserveOptions options) {
        try (Sessions sessions = new Sessions(options.shellOptions())) {
            return observe(fleet, selected, sessions, options);
        }
    }

    /**
     * Observes through connections the caller keeps (apply carries out the plan over them). The fleet gives a
     * restore's source, whose backups the node to restore into reads.
     */
    static Map<ClusterId, ObservedCluster> observe(DesiredFleet fleet, List<DesiredCluster> selected,
                                                   Sessions sessions, ObserveOptions options) {
        Map<ClusterId, ObservedCluster> map = new LinkedHashMap<>();
        for (ObservedCluster c : new Observer(sessions, options.parallel(), options.deadline(), fleet::cluster)
                .observe(selected)) {
            map.put(c.id(), c);
        }
        return map;
    }
}
