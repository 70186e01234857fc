package io.pgrds.cli;

import io.pgrds.app.ClusterAdmin;
import io.pgrds.util.Palette;
import picocli.CommandLine.Command;

@Command(name = "credentials", mixinStandardHelpOptions = true,
        description = "Show the admin password of a cluster (kept on the cluster's own nodes) and how to connect. "
                + "Anyone who sees it can do anything to the cluster's data.")
final class CredentialsCommand extends ClusterCommand {
    @Override
    public Integer call() {
        Terminal t = terminal();
        var c = desired();
        ClusterAdmin.Credentials k = connected(s -> new ClusterAdmin(s).credentials(c));
        t.err().println(t.paint("warning:", Palette.CAUTION) + " this is the superuser password of " + c.id()
                + "; do not paste it into chats, tickets or shell history.");
        t.out().println("admin password: " + k.password());
        t.out().println("connect:        psql \"host=" + k.node().host() + " port=" + k.node().port()
                + " user=admin dbname=postgres\"");
        t.out().println("note:           a password the team changed in PostgreSQL is not shown here; pgrds never "
                + "resets it.");
        return 0;
    }
}
