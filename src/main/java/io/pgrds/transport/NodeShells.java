package io.pgrds.transport;

import io.pgrds.transport.target.Target;
import io.pgrds.transport.target.Become;
import io.pgrds.transport.target.Transport;

/** Opens the right {@link NodeShell} for a node. */
public final class NodeShells {
    private NodeShells() {
    }

    /**
     * Opens a shell to {@code node}. For {@link Transport#SSH} this connects, verifies the host key and
     * authenticates before it returns; for {@link Transport#LOCAL} it ignores host and SSH settings except
     * {@code ssh.become} (how to act as postgres), which defaults to what the current user needs.
     *
     * @throws TransportException when the node cannot be reached
     */
    public static NodeShell open(Transport transport, Target node, ShellOptions options) {
        return switch (transport) {
            case SSH -> SshNodeShell.connect(node, options);
            case LOCAL -> new LocalNodeShell(localBecome(node), options.commandTimeout());
        };
    }

    private static Become localBecome(Target node) {
        if (node.ssh() != null && node.ssh().become() != null) {
            return node.ssh().become();
        }
        if (Commands.POSTGRES.equals(System.getProperty("user.name"))) {
            return Become.NONE;
        }
        return LocalNodeShell.isRoot() ? Become.RUNUSER : Become.SUDO;
    }
}
