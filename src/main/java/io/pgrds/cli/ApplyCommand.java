package io.pgrds.cli;

import io.pgrds.app.ApplyService;
import io.pgrds.app.PlanService;
import io.pgrds.app.Planned;
import io.pgrds.apply.ApplyListener;
import io.pgrds.error.ErrorCode;
import io.pgrds.plan.FleetPlan;
import io.pgrds.render.PlanRenderer;
import io.pgrds.transport.Sessions;
import io.pgrds.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Plan, show the plan, ask for confirmation, then make the servers match the repository.",
                "`pgrds apply FILE` applies a plan saved with `pgrds plan --out FILE` exactly, and refuses when "
                        + "the servers changed since it was made."})
final class ApplyCommand extends NodesCommand {
    @Mixin
    private ConfirmOptions confirm;

    @Parameters(paramLabel = "CLUSTER|FILE", arity = "0..*",
            description = "team/stage or a team (default: all), or one saved plan file.")
    private List<String> targets = new ArrayList<>();

    @Mixin
    private ApplyOptions options;

    @Override
    public Integer call() {
        Terminal t = terminal();
        Optional<ApplyJsonPrinter> json = options.jsonPrinter(t);
        // one SSH connection per node for the whole run: the observation's connections carry out the plan too
        try (Sessions sessions = sessions()) {
            PlanService plans = new PlanService(sessions, observe.settings());
            Planned planned = confirm.planned(top, plans, targets);
            FleetPlan plan = planned.plan();
            json.ifPresentOrElse(j -> j.plan(Json.tree(PlanRenderer.json(plan))),
                    () -> t.out().print(PlanRenderer.text(plan, t.colour())));
            t.out().flush();
            if (!plan.hasChanges()) {
                return done(json, PlanRefusals.print(t, plan), "no changes");
            }
            if (!options.dryRun() && !options.autoApprove()) {
                sessions.close(); // a person may take minutes to answer: the connections reopen on first use
                if (!t.ask("Apply these changes?", "apply needs confirmation and there is no terminal to ask on; "
                        + "review the plan and pass --auto-approve (for example in CI or the daemon).")) {
                    t.out().println("Apply cancelled; nothing was changed.");
                    return 1;
                }
            }
            if (json.isEmpty()) {
                t.out().println();
            }
            List<ApplyService.ClusterResult> results = new ApplyService(sessions, json.<ApplyListener>map(j -> j)
                    .orElseGet(() -> new ApplyPrinter(t, options.dryRun())), options.settings(), plans).apply(planned);
            results.forEach(r -> r.failure().ifPresent(code -> t.error(code, r.message())));
            // of several clusters' failures the exit status tells the first
            Optional<ErrorCode> failed = results.stream().flatMap(r -> r.failure().stream()).findFirst();
            String summary = options.dryRun() ? "Dry run: nothing was changed." : "Apply complete: "
                    + PlanRenderer.summary(plan) + ".";
            if (failed.isEmpty() && json.isEmpty()) {
                t.out().println("\n" + summary);
            }
            int refused = PlanRefusals.print(t, plan);
            return done(json, failed.map(ErrorCode::exitCode).orElse(refused), failed.isEmpty() ? summary : "failed");
        }
    }

    private static int done(Optional<ApplyJsonPrinter> json, int exit, String summary) {
        json.ifPresent(j -> j.done(exit == 0, exit, summary));
        return exit;
    }
}
