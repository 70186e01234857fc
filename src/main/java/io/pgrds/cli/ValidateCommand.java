package io.pgrds.cli;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.desired.load.Problem;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.source.GitSource;
import io.pgrds.source.Snapshot;
import io.pgrds.util.Palette;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check the fleet repository: YAML syntax, the schema, and what a schema cannot see "
                + "(duplicate nodes, conflicting ports and data directories, unknown references).",
                "Prints every cluster with its nodes, or every problem of every file with its location."})
final class ValidateCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Parameters(paramLabel = "CLUSTER", arity = "0..*", description = "Only show these clusters (team/stage). "
            + "The whole fleet is always checked, since some checks span clusters.")
    private List<String> clusters = new ArrayList<>();

    @Option(names = "--working-tree", description = "Check the files as they are in the working tree of a local "
            + "checkout, committed or not (for a pre-commit hook), instead of a commit.")
    private boolean workingTree;

    @Override
    public Integer call() {
        Terminal t = top.terminal();
        if (workingTree && top.ref() != null) {
            throw new PgrdsException(ErrorCode.USAGE, "--working-tree reads the files on disk, --ref a commit: "
                    + "give one of them.");
        }
        Snapshot snapshot = workingTree ? GitSource.readWorkingTree(top.repoLocation()) : FleetReader.snapshot(top);
        FleetLoader.Result result = FleetLoader.load(snapshot);
        t.out().println("pgrds validate — " + Describe.source(snapshot));
        t.out().println();
        if (!result.ok()) {
            for (Problem p : result.problems()) {
                t.out().println(t.paint("✗ ", Palette.BAD) + p);
            }
            t.out().println();
            String summary = FleetLoader.describe(result.problems());
            String last = summary.substring(summary.lastIndexOf('\n') + 1);
            t.out().println(last + " Nothing was changed.");
            t.error(ErrorCode.INVALID_DESIRED_STATE, last + " Fix each file at the line and column shown above, then "
                    + "run pgrds validate again.");
            return ErrorCode.INVALID_DESIRED_STATE.exitCode();
        }
        List<DesiredCluster> shown = Selection.select(result.fleet(), clusters);
        int width = shown.stream().mapToInt(c -> c.id().toString().length()).max().orElse(0);
        int nodes = 0;
        for (DesiredCluster c : shown) {
            List<String> names = new ArrayList<>();
            for (NodeSpec n : c.nodes()) {
                boolean pinned = c.primary().map(n.name()::equals).orElse(false);
                names.add(n.name() + (pinned ? " (pinned primary)" : ""));
            }
            nodes += c.nodes().size();
            t.out().printf("%-" + width + "s  %-5s  %d %s  %s%n", c.id(), c.transport().name().toLowerCase(Locale.ROOT),
                    c.nodes().size(), c.nodes().size() == 1 ? "node " : "nodes", String.join(", ", names));
        }
        t.out().println();
        t.out().println(t.paint("✓ ", Palette.GOOD) + shown.size() + (shown.size() == 1 ? " cluster, " : " clusters, ")
                + nodes + (nodes == 1 ? " node" : " nodes") + ": valid.");
        return 0;
    }

    static ClusterId parse(String s) {
        return ClusterId.parse(s);
    }
}
