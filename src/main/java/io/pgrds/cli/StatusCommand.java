package io.pgrds.cli;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.app.PlanService;
import io.pgrds.render.StatusRenderer;
import io.pgrds.render.StatusView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Observe every node of the clusters over SSH and SQL and show a table per cluster: state, "
                + "running, version, timeline, WAL position, replication lag, connections, free disk, reboot flag; "
                + "and one line per cluster: in sync, lagging by how much, or what is wrong.",
                "Exit status 0 when every cluster shown is healthy, 1 otherwise."})
final class StatusCommand extends NodesCommand {
    @Parameters(paramLabel = "CLUSTER", arity = "0..*", description = "team/stage or a team (default: all).")
    private List<String> clusters = new ArrayList<>();

    @Option(names = "--json", description = "Print the documented JSON format (docs/status-json.md).")
    private boolean json;

    @Option(names = "--watch", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Repeat every DURATION (5s, 1m; a bare number is seconds) until interrupted.")
    private Duration watch;

    @Override
    public Integer call() throws InterruptedException {
        Terminal t = terminal();
        while (true) {
            // every round reads the repository again: with --watch, a commit since the last round is shown
            DesiredFleet fleet = FleetReader.fleet(top);
            List<DesiredCluster> selected = Selection.select(fleet, clusters);
            List<StatusView> views = connected(s -> new PlanService(s, observe.settings()).observe(fleet, selected))
                    .values().stream().map(StatusView::of).toList();
            if (watch != null && t.interactive() && !json) {
                t.out().print("\u001b[H\u001b[2J");
            }
            if (json) {
                t.out().print(StatusRenderer.json(fleet.commit(), views));
            } else {
                t.out().print(StatusRenderer.text(source(fleet), views, t.colour()));
            }
            t.out().flush();
            boolean healthy = views.stream().allMatch(StatusView::healthy);
            // no reader any more (status --watch 1 | head -1): end at once and quietly, as a shell command does
            if (watch == null || t.out().checkError()) {
                return healthy ? 0 : 1;
            }
            Thread.sleep(Math.max(1000, watch.toMillis()));
        }
    }

    private static String source(DesiredFleet fleet) {
        return fleet.commit().map(c -> "commit " + c.substring(0, 7)).orElse("files on disk (no commit)");
    }
}
