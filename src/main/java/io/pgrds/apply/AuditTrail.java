package io.pgrds.apply;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.Sessions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** The audit trail of what was done to a cluster outside an apply: on every reachable node and on this machine. */
final class AuditTrail {
    private final Sessions sessions;
    private final ApplyListener listener;

    AuditTrail(Sessions sessions, ApplyListener listener) {
        this.sessions = sessions;
        this.listener = listener;
    }

    /** Appends a record to the audit trail on every reachable node of the cluster and to this machine's copy. */
    void append(DesiredCluster c, Audit audit) {
        String line = audit.toJsonLine() + "\n";
        for (NodeSpec s : c.nodes()) {
            try {
                NodeOps n = new NodeOps(sessions.shell(c.transport(), s), s, c.id(), listener, false);
                n.shell().exec(new NodeShell.Exec(List.of("sh", "-c", "umask 077; mkdir -p \"$(dirname \"$1\")\" && "
                        + "cat >> \"$1\"", "sh", n.paths().audit()), true, line.getBytes(StandardCharsets.UTF_8),
                        Duration.ofSeconds(30)));
            } catch (RuntimeException e) {
                // the local copy and the other nodes still have it
            }
        }
        LocalAudit.append(line);
    }
}
