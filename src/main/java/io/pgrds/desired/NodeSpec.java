package io.pgrds.desired;

import io.pgrds.transport.target.SshSettings;
import io.pgrds.transport.target.Target;

/**
 * One desired node, with every per-node setting resolved (cluster defaults plus the node's overrides).
 * Every per-node path pgrds uses is derived from {@link #dataDirectory()} and {@link #port()}, so several
 * nodes can share one machine.
 *
 * @param name          the node's name (defaults to its host)
 * @param host          address or DNS name
 */
public record NodeSpec(String name, String host, SshSettings ssh, String binDir, String dataDirectory, int port)
        implements Target {
    @Override
    public String toString() {
        return name;
    }
}
