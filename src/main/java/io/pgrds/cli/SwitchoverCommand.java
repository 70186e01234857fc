package io.pgrds.cli;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.source.ClusterFileEdit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "switchover", mixinStandardHelpOptions = true,
        description = {"Pin a cluster's primary to another node in its file (GitOps: the file changes, not the "
                + "servers). Prints the change as a diff; with --commit, commits it on the current branch. The "
                + "servers change with the next plan/apply (or the daemon) of that commit."})
final class SwitchoverCommand extends FileEditCommand {
    @Option(names = "--to", required = true, paramLabel = "NODE", description = "The node to become primary.")
    private String to;

    private String node;

    @Override
    String edit(DesiredCluster c, String text) {
        node = c.node(to).map(NodeSpec::name).orElseThrow(() -> new PgrdsException(ErrorCode.USAGE, to + " is not "
                + "a node of " + c.id() + " (" + String.join(", ", c.nodes().stream().map(NodeSpec::name).toList())
                + ")."));
        return ClusterFileEdit.pin(text, node);
    }

    @Override
    String subject(DesiredCluster c) {
        return "Switch " + c.id() + " over to " + node;
    }
}
