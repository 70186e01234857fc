package io.pgrds.app;

import io.pgrds.apply.Audit;
import io.pgrds.apply.LocalAudit;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.NodePaths;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.TransportException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/** What an operator asks about a cluster besides its state: its admin credentials and its apply history. */
public final class ClusterAdmin {
    private final Sessions sessions;

    public ClusterAdmin(Sessions sessions) {
        this.sessions = sessions;
    }

    /** The admin password pgrds created with the cluster, and the node that gave it. */
    public record Credentials(String password, NodeSpec node) {
        @Override
        public String toString() {
            return "Credentials[node=" + node.name() + "]"; // never the password
        }
    }

    /** The cluster's admin credentials, from the first node that keeps them. */
    public Credentials credentials(DesiredCluster c) {
        StringBuilder tried = new StringBuilder();
        for (NodeSpec n : c.nodes()) {
            try {
                NodeShell.ExecResult r = sessions.shell(c.transport(), n).exec(NodeShell.Exec.asPostgres("cat",
                        NodePaths.of(n).secrets() + "/admin.password"));
                if (r.ok() && !r.stdout().isBlank()) {
                    return new Credentials(r.stdout().strip(), n);
                }
                tried.append("\n  ").append(n.name()).append(": no credentials kept there");
            } catch (TransportException e) {
                tried.append("\n  ").append(n.name()).append(": ").append(e.getMessage());
            }
        }
        throw new PgrdsException(ErrorCode.IO, "no node of " + c.id() + " gave its credentials:" + tried
                + "\nWas the cluster created by pgrds (pgrds apply)?");
    }

    /**
     * A cluster's applies, newest first: the audit trails kept on its nodes merged with this machine's copy.
     *
     * @param unreachable the nodes whose copy could not be read
     */
    public record History(List<Audit> applies, List<String> unreachable) {
    }

    public History history(DesiredCluster c) {
        TreeSet<String> lines = new TreeSet<>();
        List<String> unreachable = new ArrayList<>();
        for (NodeSpec n : c.nodes()) {
            try {
                NodeShell.ExecResult r = sessions.shell(c.transport(), n).exec(NodeShell.Exec.asPostgres("sh", "-c",
                        "cat \"$1\" 2>/dev/null; exit 0", "sh", NodePaths.of(n).audit()));
                r.stdout().lines().filter(l -> !l.isBlank()).forEach(lines::add);
            } catch (TransportException e) {
                unreachable.add(n.name());
            }
        }
        try {
            lines.addAll(LocalAudit.lines());
        } catch (java.io.IOException e) {
            throw new PgrdsException(ErrorCode.IO, "cannot read this machine's copy of the history, "
                    + LocalAudit.file() + ": " + e.getMessage());
        }
        List<Audit> audits = new ArrayList<>();
        for (String line : lines) {
            try {
                Audit a = Audit.fromJsonLine(line);
                if (a.cluster().equals(c.id().toString())) {
                    audits.add(a);
                }
            } catch (RuntimeException | java.io.IOException e) {
                // a line another version wrote; skip it
            }
        }
        audits.sort(Comparator.comparing(Audit::time).reversed());
        return new History(audits, unreachable);
    }
}
