package io.pgrds.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.app.ClusterAdmin;
import io.pgrds.util.Json;
import io.pgrds.util.Palette;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "credentials", mixinStandardHelpOptions = true,
        description = "Show the admin password of a cluster (kept on the cluster's own nodes) and how to connect. "
                + "Anyone who sees it can do anything to the cluster's data.")
final class CredentialsCommand extends ClusterCommand {
    @Option(names = "--json", description = "Print {format_version, cluster, user, password, host, port, dbname} "
            + "for a script (the warning stays on stderr).")
    private boolean json;

    @Override
    public Integer call() {
        Terminal t = terminal();
        var c = desired();
        ClusterAdmin.Credentials k = connected(s -> new ClusterAdmin(s).credentials(c));
        t.err().println(t.paint("warning:", Palette.CAUTION) + " this is the superuser password of " + c.id()
                + "; do not paste it into chats, tickets or shell history.");
        if (json) {
            ObjectNode o = Json.mapper().createObjectNode().put("format_version", "1").put("cluster",
                    c.id().toString()).put("user", "admin").put("password", k.password()).put("host", k.node().host())
                    .put("port", k.node().port()).put("dbname", "postgres");
            t.out().println(o.toPrettyString());
            return 0;
        }
        t.out().println("admin password: " + k.password());
        t.out().println("connect:        psql \"host=" + k.node().host() + " port=" + k.node().port()
                + " user=admin dbname=postgres\"");
        t.out().println("note:           a password the team changed in PostgreSQL is not shown here; pgrds never "
                + "resets it.");
        return 0;
    }
}
