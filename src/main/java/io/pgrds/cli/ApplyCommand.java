package io.pgrds.cli;

import io.pgrds.util.Palette;
import io.pgrds.apply.ApplyListener;
import io.pgrds.apply.ApplyOutcome;
import io.pgrds.apply.Executor;
import io.pgrds.apply.Recheck;
import io.pgrds.plan.Confirmations;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.Observer;
import io.pgrds.plan.Action;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.FleetPlan;
import io.pgrds.plan.Planner;
import io.pgrds.plan.SavedPlan;
import io.pgrds.render.PlanRenderer;
import io.pgrds.render.SavedPlanJson;
import io.pgrds.source.GitSource;
import io.pgrds.transport.Sessions;
import io.pgrds.util.Units;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Plan, show the plan, ask for confirmation, then make the servers match the repository.",
                "`pgrds apply FILE` applies a plan saved with `pgrds plan --out FILE` exactly, and refuses when "
                        + "the servers changed since it was made."})
final class ApplyCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Mixin
    private ObserveOptions observe;

    @Mixin
    private ConfirmOptions confirm;

    @Parameters(paramLabel = "CLUSTER|FILE", arity = "0..*",
            description = "team/stage or a team (default: all), or one saved plan file.")
    private List<String> targets = new ArrayList<>();

    @Option(names = "--auto-approve", description = "Apply without asking (needed without a terminal).")
    private boolean autoApprove;

    @Option(names = "--dry-run", description = "Print every command and SQL statement apply would run; change "
            + "nothing.")
    private boolean dryRun;

    @Option(names = "--lock-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "How long to wait for another apply of the same cluster (default: ${DEFAULT-VALUE} s).")
    private int lockTimeout;

    @Override
    public Integer call() throws IOException {
        // one SSH connection per node for the whole run: the observation's connections carry out the plan too
        try (Sessions sessions = new Sessions(observe.shellOptions())) {
            return call(sessions);
        }
    }

    private Integer call(Sessions sessions) throws IOException {
        Terminal t = top.terminal();
        Path saved = targets.size() == 1 ? savedPlanPath(targets.get(0)) : null;
        DesiredFleet fleet;
        FleetPlan plan;
        Map<ClusterId, ObservedCluster> observed;
        List<DesiredCluster> selected;
        Confirmations confirmations;
        if (saved != null) {
            SavedPlan s = SavedPlanJson.read(Files.readAllBytes(saved));
            if (confirm.any()) {
                throw new PgrdsException(ErrorCode.USAGE, "a saved plan carries the confirmations it was made with "
                        + "(--fenced " + String.join(", ", s.confirmations().fenced()) + "); make a new plan with "
                        + "pgrds plan --out FILE --fenced NODE instead.");
            }
            confirmations = s.confirmations();
            fleet = s.commit().isPresent()
                    ? FleetLoader.loadOrThrow(GitSource.read(top.repoLocation(), s.commit().get(),
                    PgrdsCommand.cacheDir()))
                    : top.fleet();
            List<ClusterId> ids = s.clusters().stream().map(ClusterPlan::id).toList();
            selected = fleet.clusters().stream().filter(c -> ids.contains(c.id())).toList();
            observed = PlanCommand.observe(fleet, selected, sessions, observe);
            List<String> stale = s.staleness(observed);
            if (!stale.isEmpty()) {
                throw new PgrdsException(ErrorCode.PLAN_STALE, "the saved plan " + saved + " is stale: the servers "
                        + "changed since it was made:\n  " + String.join("\n  ", stale)
                        + "\nNothing was applied. Run pgrds plan again and review the new plan.");
            }
            plan = s.plan();
        } else {
            fleet = top.fleet();
            selected = Selection.select(fleet, targets);
            observed = PlanCommand.observe(fleet, selected, sessions, observe);
            confirm.check(observed);
            confirmations = confirm.confirmations();
            plan = Planner.plan(new DesiredFleet(fleet.commit(), selected, List.of()), observed, confirmations);
        }
        t.out().print(PlanRenderer.text(plan, t.colour()));
        t.out().flush();
        if (!plan.hasChanges()) {
            return refused(t, plan);
        }
        if (!dryRun && !autoApprove) {
            // a person may take minutes to answer: no connection is left idle meanwhile; they reopen on first use
            sessions.close();
            if (!t.interactive()) {
                throw new PgrdsException(ErrorCode.USAGE, "apply needs confirmation and there is no terminal to ask "
                        + "on; review the plan and pass --auto-approve (for example in CI or the daemon).");
            }
            t.out().print("\nApply these changes? Only 'yes' is accepted: ");
            t.out().flush();
            String answer = t.in().readLine();
            if (!"yes".equals(answer == null ? null : answer.strip())) {
                t.out().println("Apply cancelled; nothing was changed.");
                return 1;
            }
        }
        t.out().println();
        Executor.Options options = new Executor.Options(dryRun, Duration.ofSeconds(Math.max(0, lockTimeout)),
                Duration.ofMinutes(2), Executor.Options.defaults(dryRun).user(),
                Executor.Options.defaults(dryRun).host());
        ErrorCode failed = null;
        DesiredFleet planned = fleet;
        Recheck recheck = new Recheck() {
            @Override
            public ObservedCluster observe(DesiredCluster desired) {
                return PlanCommand.observe(planned, List.of(desired), sessions, observe).get(desired.id());
            }

            @Override
            public ClusterPlan plan(DesiredCluster desired, ObservedCluster now) {
                return Planner.plan(desired, now, confirmations);
            }
        };
        Executor executor = new Executor(sessions, new Printer(t, dryRun), options, fleet::cluster, recheck);
        for (ClusterPlan cp : plan.clusters()) {
            if (cp.refused() || !cp.hasChanges()) {
                continue;
            }
            DesiredCluster desired = fleet.cluster(cp.id()).orElseThrow();
            try {
                ApplyOutcome outcome = executor.apply(desired, observed.get(cp.id()), cp, fleet.commit());
                if (!outcome.ok()) {
                    t.error(ErrorCode.APPLY_FAILED, outcome.message());
                    failed = failed == null ? ErrorCode.APPLY_FAILED : failed;
                }
            } catch (PgrdsException e) {
                t.error(e.code(), e.getMessage());
                // of several clusters' failures the exit status tells the first
                failed = failed == null ? e.code() : failed;
            }
        }
        if (failed != null) {
            refused(t, plan);
            return failed.exitCode();
        }
        t.out().println(dryRun ? "\nDry run: nothing was changed." : "\nApply complete: " + summary(plan) + ".");
        return refused(t, plan);
    }

    /** A refused cluster is an error line of its own and the PLAN_REFUSED status; 0 when none was refused. */
    static int refused(Terminal t, FleetPlan plan) {
        List<ClusterPlan> refused = plan.clusters().stream().filter(ClusterPlan::refused).toList();
        for (ClusterPlan c : refused) {
            t.error(ErrorCode.PLAN_REFUSED, c.id() + ": " + c.refusals().stream().map(r -> r.code() + ": "
                    + r.message() + " Next: " + r.nextStep()).collect(java.util.stream.Collectors.joining(" | "))
                    + " Nothing was changed on " + c.id() + ".");
        }
        return refused.isEmpty() ? 0 : ErrorCode.PLAN_REFUSED.exitCode();
    }

    private static Path savedPlanPath(String arg) {
        Path p = Path.of(arg);
        return Files.isRegularFile(p) ? p : null;
    }

    private static String summary(FleetPlan plan) {
        return plan.count(io.pgrds.plan.ActionKind.Symbol.ADD) + " added, "
                + plan.count(io.pgrds.plan.ActionKind.Symbol.CHANGE) + " changed, "
                + plan.count(io.pgrds.plan.ActionKind.Symbol.REMOVE) + " removed";
    }

    /** Renders apply events: start, finish with duration, progress, commands in dry-run, notices. */
    static final class Printer implements ApplyListener {
        private final Terminal t;
        private final boolean dryRun;

        Printer(Terminal t, boolean dryRun) {
            this.t = t;
            this.dryRun = dryRun;
        }

        @Override
        public synchronized void actionStarted(ClusterId cluster, Action action) {
            t.out().println(cluster + ": " + action.kind().symbol().text() + " " + action.describe() + " …");
            t.out().flush();
        }

        @Override
        public synchronized void actionFinished(ClusterId cluster, Action action, Duration took) {
            t.out().println(cluster + ": " + t.paint("✓", Palette.GOOD) + " " + action.describe() + " ("
                    + Units.millis(took.toMillis()) + ")");
            t.out().flush();
        }

        @Override
        public synchronized void actionFailed(ClusterId cluster, Action action, Duration took, String why) {
            t.out().println(cluster + ": " + t.paint("✗", Palette.BAD) + " " + action.describe() + " ("
                    + Units.millis(took.toMillis()) + "): " + why);
            t.out().flush();
        }

        @Override
        public synchronized void progress(ClusterId cluster, String node, String message) {
            t.out().println("    " + node + ": " + message);
            t.out().flush();
        }

        @Override
        public synchronized void command(ClusterId cluster, String node, String command) {
            if (dryRun) {
                t.out().println("    [" + node + "] " + command.replace("\n", "\n      "));
            }
        }

        @Override
        public synchronized void notice(ClusterId cluster, String message) {
            t.out().println();
            t.out().println(t.paint("  " + message.replace("\n", "\n  "), Palette.STRONG));
            t.out().println();
        }
    }
}
