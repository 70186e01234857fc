package io.pgrds.cli;

import io.pgrds.apply.ApplyListener;
import io.pgrds.app.BackupService;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.render.BackupsRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "backups", mixinStandardHelpOptions = true,
        description = "List a cluster's backups (pgbackrest info) and the window it can be restored to.")
final class BackupsCommand extends ClusterCommand {
    @Option(names = "--json", description = "Print JSON instead of a table.")
    private boolean json;

    @Override
    public Integer call() {
        Terminal t = terminal();
        var c = desired();
        BackupCatalog info = connected(s -> new BackupService(s, observe.settings(), ApplyListener.NONE).list(c));
        t.out().print(json ? BackupsRenderer.json(c.id(), info) : BackupsRenderer.text(c.id(), info));
        return 0;
    }
}
