package io.pgrds.cli;

import io.pgrds.app.BackupService;
import io.pgrds.apply.BackupResult;
import io.pgrds.util.Palette;
import io.pgrds.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Take a pgBackRest backup of a cluster now, from its primary (or a streaming standby with "
                + "backup.fromStandby), into the repository its file names (apply configures the stanza first).",
                "Refused, like a plan, while a node cannot be seen or two primaries run: a backup of the wrong one "
                        + "would save a history the cluster no longer follows."})
final class BackupCommand extends ClusterCommand {
    @Option(names = "--type", defaultValue = "full", description = "full, diff or incr (default ${DEFAULT-VALUE}).")
    private BackupType type;

    enum BackupType { full, diff, incr }

    @Override
    public Integer call() {
        Terminal t = terminal();
        var c = desired();
        BackupResult r = connected(s -> new BackupService(s, observe.settings(), new ApplyPrinter(t, false))
                .backup(c, type.name()));
        t.out().println(c.id() + ": " + t.paint("✓", Palette.GOOD) + " " + r.type() + " backup from " + r.node()
                + (r.fromStandby() ? " (standby)" : "") + r.backup().map(b -> ": " + b.label() + ", "
                + Units.bytes(b.size()) + " (" + Units.bytes(b.repositorySize()) + " in the repository), WAL "
                + b.walStart() + " … " + b.walStop()).orElse("") + " (" + Units.millis(r.took().toMillis()) + ")");
        return 0;
    }
}
