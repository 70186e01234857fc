package io.pgrds.cli;

import io.pgrds.app.PlanService;
import io.pgrds.app.Planned;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.plan.Confirmations;
import io.pgrds.plan.SavedPlan;
import io.pgrds.render.SavedPlanJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** What the operator confirms on the command line that pgrds cannot observe, and which plan apply works on. */
final class ConfirmOptions {
    @Option(names = "--fenced", paramLabel = "NODE", description = {"Confirm that NODE, a former primary pgrds "
            + "cannot reach or see stopped, is fenced: powered off, or cut off from clients and standbys. A standby "
            + "is then promoted in its place, unless a standby heard from NODE in the last 10 s (then it is not "
            + "fenced). Check before: `ssh NODE true` and `pg_isready -h NODE` fail from another machine. "
            + "Repeatable."})
    private List<String> fenced = new ArrayList<>();

    Confirmations confirmations() {
        return new Confirmations(Set.copyOf(fenced));
    }

    boolean any() {
        return !fenced.isEmpty();
    }

    /**
     * The plan apply works on: a saved plan when the one target is a file (observed afresh, refused when stale; it
     * carries the confirmations it was made with, so none may be given again), else a new plan of the targets.
     */
    /** A target that can only be a path: a cluster is {@code team/stage}, a team a single name. */
    static boolean looksLikeAFile(String target) {
        return target.startsWith("/") || target.startsWith("./") || target.startsWith("../")
                || target.endsWith(".plan") || target.endsWith(".json") || target.chars().filter(ch -> ch == '/')
                .count() > 1;
    }

    Planned planned(PgrdsCommand top, PlanService plans, List<String> targets) {
        Path file = targets.size() == 1 ? Path.of(targets.get(0)) : null;
        if (file != null && !Files.isRegularFile(file) && looksLikeAFile(targets.get(0))) {
            throw new PgrdsException(ErrorCode.IO, "the saved plan " + file + " does not exist" + (Files.exists(file)
                    ? " as a file" : "") + "; make one with pgrds plan CLUSTER --out " + file + " (a cluster is "
                    + "written team/stage, a team alone selects all its clusters).");
        }
        if (file == null || !Files.isRegularFile(file)) {
            DesiredFleet fleet = FleetReader.fleet(top);
            return plans.plan(fleet, Selection.select(fleet, targets), confirmations());
        }
        SavedPlan saved;
        try {
            saved = SavedPlanJson.read(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new PgrdsException(ErrorCode.IO, "cannot read the saved plan " + file + ": " + e.getMessage());
        }
        if (any()) {
            throw new PgrdsException(ErrorCode.USAGE, "a saved plan carries the confirmations it was made with "
                    + "(--fenced " + String.join(", ", saved.confirmations().fenced()) + "); make a new plan with "
                    + "pgrds plan --out FILE --fenced NODE instead.");
        }
        DesiredFleet fleet = saved.commit().map(c -> FleetReader.fleetAt(top, c)).orElseGet(() -> FleetReader.fleet(top));
        return plans.saved(saved, fleet, file.toString());
    }
}
