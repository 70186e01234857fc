package io.pgrds.cli;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.source.ClusterFileEdit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "add-node", mixinStandardHelpOptions = true,
        description = {"Add a node to a cluster's file (GitOps: the file changes, not the servers); the next "
                + "plan/apply of that commit clones it as a standby. Prints the change as a diff; with --commit, "
                + "commits it on the current branch."})
final class AddNodeCommand extends FileEditCommand {
    @Parameters(index = "1", paramLabel = "HOST", description = "The new node's address or DNS name.")
    private String host;

    @Option(names = "--name", paramLabel = "NAME", description = "Its name (default: the host).")
    private String name;

    @Override
    String edit(DesiredCluster c, String text) {
        String shown = name == null ? host : name;
        if (c.node(shown).isPresent()) { // a second node on the same host and port: validate says so below
            throw new PgrdsException(ErrorCode.USAGE, shown + " is already a node of " + c.id() + ".");
        }
        try {
            return ClusterFileEdit.addNode(text, host, name);
        } catch (IllegalArgumentException e) {
            throw new PgrdsException(ErrorCode.USAGE, c.file() + ": " + e.getMessage() + "; add the node by hand.");
        }
    }

    @Override
    String subject(DesiredCluster c) {
        return "Add " + (name == null ? host : name) + " to " + c.id();
    }
}
