package io.pgrds.cli;

import io.pgrds.app.PlanService;
import io.pgrds.app.Planned;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.plan.SavedPlan;
import io.pgrds.render.PlanRenderer;
import io.pgrds.render.SavedPlanJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Observe the nodes and show exactly what apply would do, with the reason and risk of every "
                + "action, or why pgrds refuses to act. Changes nothing.",
                "Exit status: 0 (no changes, or changes without --detailed-exitcode), 2 changes present with "
                        + "--detailed-exitcode, 3 refused; other errors as in docs/cli.md."})
final class PlanCommand extends NodesCommand {
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
        Terminal t = terminal();
        var fleet = FleetReader.fleet(top);
        Planned planned = connected(s -> new PlanService(s, observe.settings()).plan(fleet, Selection.select(fleet,
                clusters), confirm.confirmations()));
        t.out().print(json ? PlanRenderer.json(planned.plan()) : PlanRenderer.text(planned.plan(), t.colour()));
        if (out != null) {
            try {
                Files.write(out, SavedPlanJson.write(SavedPlan.of(planned.plan(), planned.observed(),
                        planned.confirmations())));
            } catch (IOException e) {
                throw new PgrdsException(ErrorCode.IO, "cannot write the plan to " + out + ": " + e.getMessage());
            }
            if (!json) {
                t.out().println("Saved the plan to " + out + "; apply exactly it with: pgrds apply " + out);
            }
        }
        if (planned.plan().refused()) {
            return PlanRefusals.print(t, planned.plan());
        }
        return detailedExitcode && planned.plan().hasChanges() ? 2 : 0;
    }
}
