package io.pgrds.cli;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.source.ClusterFileEdit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "remove-node", mixinStandardHelpOptions = true,
        description = {"Remove a node from a cluster's file (GitOps: the file changes, not the servers); the next "
                + "plan/apply of that commit deactivates it (stopped, data kept). Prints the change as a diff; with "
                + "--commit, commits it on the current branch."})
final class RemoveNodeCommand extends FileEditCommand {
    @Parameters(index = "1", paramLabel = "NODE", description = "The node's name or host.")
    private String node;

    @Override
    String edit(DesiredCluster c, String text) {
        NodeSpec n = c.node(node).or(() -> c.nodes().stream().filter(x -> x.host().equals(node)).findFirst())
                .orElseThrow(() -> new PgrdsException(ErrorCode.USAGE, node + " is not a node of " + c.id() + "."));
        if (c.primary().filter(p -> p.equals(n.name()) || p.equals(n.host())).isPresent()) {
            throw new PgrdsException(ErrorCode.USAGE, n.name() + " is the pinned primary of " + c.id() + ": move the "
                    + "pin first (pgrds switchover " + c.id() + " --to NODE), apply it, then remove " + n.name() + ".");
        }
        try {
            return ClusterFileEdit.removeNode(text, text.contains(n.name()) ? n.name() : n.host());
        } catch (IllegalArgumentException e) {
            throw new PgrdsException(ErrorCode.USAGE, c.file() + ": " + e.getMessage() + ".");
        }
    }

    @Override
    String subject(DesiredCluster c) {
        return "Remove " + node + " from " + c.id();
    }
}
