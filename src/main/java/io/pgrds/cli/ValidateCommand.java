package io.pgrds.cli;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.render.ValidateRenderer;
import io.pgrds.source.GitSource;
import io.pgrds.source.Snapshot;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--json", description = "Print the documented JSON format (docs/validate-json.md).")
    private boolean json;

    @Override
    public Integer call() {
        Terminal t = top.terminal();
        if (workingTree && top.ref() != null) {
            throw new PgrdsException(ErrorCode.USAGE, "--working-tree reads the files on disk, --ref a commit: "
                    + "give one of them.");
        }
        Snapshot snapshot = workingTree ? GitSource.readWorkingTree(top.repoLocation()) : FleetReader.snapshot(top);
        FleetLoader.Result result = FleetLoader.load(snapshot);
        List<DesiredCluster> shown = result.ok() ? Selection.select(result.fleet(), clusters) : List.of();
        t.out().print(json ? ValidateRenderer.json(snapshot.commit(), snapshot.ref(), result, shown)
                : ValidateRenderer.text(Describe.source(snapshot), result, shown, t.colour()));
        if (!result.ok()) {
            t.error(ErrorCode.INVALID_DESIRED_STATE, ValidateRenderer.summary(result) + " Fix each file at the line "
                    + "and column shown" + (json ? " in \"problems\"" : " above") + ", then run pgrds validate again.");
            return ErrorCode.INVALID_DESIRED_STATE.exitCode();
        }
        return 0;
    }

    static ClusterId parse(String s) {
        return ClusterId.parse(s);
    }
}
