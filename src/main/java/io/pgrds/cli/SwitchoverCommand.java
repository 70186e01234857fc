package io.pgrds.cli;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.source.ClusterFileEdit;
import io.pgrds.source.GitSource;
import io.pgrds.source.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "switchover", mixinStandardHelpOptions = true,
        description = {"Pin a cluster's primary to another node in its file (GitOps: the file changes, not the "
                + "servers). Prints the change as a diff; with --commit, commits it on the current branch. The "
                + "servers change with the next plan/apply (or the daemon) of that commit."})
final class SwitchoverCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Parameters(paramLabel = "CLUSTER", description = "team/stage")
    private String cluster;

    @Option(names = "--to", required = true, paramLabel = "NODE", description = "The node to become primary.")
    private String to;

    @Option(names = "--commit", description = "Commit the changed file (and only it) on the current branch.")
    private boolean commit;

    @Override
    public Integer call() throws IOException {
        Terminal t = top.terminal();
        Snapshot tree = GitSource.readWorkingTree(top.repoLocation());
        DesiredCluster c = Selection.select(FleetLoader.loadOrThrow(tree), List.of(cluster)).get(0);
        String node = c.node(to).map(n -> n.name()).orElseThrow(() -> new PgrdsException(ErrorCode.USAGE, to
                + " is not a node of " + c.id() + " (" + String.join(", ", c.nodes().stream().map(n -> n.name())
                .toList()) + ")."));
        Path file = Path.of(top.repoLocation()).resolve(c.file());
        String before = Files.readString(file, StandardCharsets.UTF_8);
        String after = ClusterFileEdit.pin(before, node);
        TreeMap<String, byte[]> files = new TreeMap<>(tree.files());
        files.put(c.file(), after.getBytes(StandardCharsets.UTF_8));
        FleetLoader.loadOrThrow(new Snapshot(tree.commit(), tree.ref(), files, tree.warnings())); // still valid
        String diff = ClusterFileEdit.diff(c.file(), before, after);
        if (diff.isEmpty()) {
            t.out().println(c.id() + " already pins " + node + " in " + c.file() + "; nothing to change.");
            return 0;
        }
        Files.writeString(file, after, StandardCharsets.UTF_8);
        t.out().print(diff);
        if (commit) {
            String id = GitSource.commitFile(top.repoLocation(), c.file(), "Switch " + c.id() + " over to " + node
                    + "\n\nMade by pgrds switchover; the servers follow with the next plan/apply of this commit.");
            t.out().println("\nCommitted " + id.substring(0, 7) + ". Next: push it, then pgrds plan " + c.id());
        } else {
            t.out().println("\nChanged " + c.file() + ". Next: review, commit and push it, then pgrds plan " + c.id());
        }
        return 0;
    }
}
