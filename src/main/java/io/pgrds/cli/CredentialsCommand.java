package io.pgrds.cli;

import io.pgrds.util.Palette;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.NodePaths;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.TransportException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "credentials", mixinStandardHelpOptions = true,
        description = "Show the admin password of a cluster (kept on the cluster's own nodes) and how to connect. "
                + "Anyone who sees it can do anything to the cluster's data.")
final class CredentialsCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Mixin
    private ObserveOptions observe;

    @Parameters(paramLabel = "CLUSTER", description = "team/stage")
    private String cluster;

    @Override
    public Integer call() {
        Terminal t = top.terminal();
        ClusterId id = ClusterId.parse(cluster);
        DesiredCluster c = Selection.select(top.fleet(), List.of(cluster)).stream()
                .filter(x -> x.id().equals(id)).findFirst()
                .orElseThrow(() -> new PgrdsException(ErrorCode.UNKNOWN_CLUSTER, "name one cluster as team/stage"));
        try (Sessions sessions = new Sessions(observe.shellOptions())) {
            StringBuilder tried = new StringBuilder();
            for (NodeSpec n : c.nodes()) {
                try {
                    NodeShell shell = sessions.shell(c.transport(), n);
                    NodeShell.ExecResult r = shell.exec(NodeShell.Exec.asPostgres("cat",
                            NodePaths.of(n).secrets() + "/admin.password"));
                    if (r.ok() && !r.stdout().isBlank()) {
                        t.err().println(t.paint("warning:", Palette.CAUTION) + " this is the superuser password of " + id
                                + "; do not paste it into chats, tickets or shell history.");
                        t.out().println("admin password: " + r.stdout().strip());
                        t.out().println("connect:        psql \"host=" + n.host() + " port=" + n.port()
                                + " user=admin dbname=postgres\"");
                        t.out().println("note:           a password the team changed in PostgreSQL is not shown "
                                + "here; pgrds never resets it.");
                        return 0;
                    }
                    tried.append("\n  ").append(n.name()).append(": no credentials kept there");
                } catch (TransportException e) {
                    tried.append("\n  ").append(n.name()).append(": ").append(e.getMessage());
                }
            }
            throw new PgrdsException(ErrorCode.IO, "no node of " + id + " gave its credentials:" + tried
                    + "\nWas the cluster created by pgrds (pgrds apply)?");
        }
    }
}
