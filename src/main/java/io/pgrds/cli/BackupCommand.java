package io.pgrds.cli;

import io.pgrds.util.Palette;
import io.pgrds.apply.Backups;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.transport.Sessions;
import io.pgrds.util.Units;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Take a pgBackRest backup of a cluster now, from its primary (or a streaming standby with "
                + "backup.fromStandby), into the repository its file "
                + "names (apply configures the stanza first).")
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Mixin
    private ObserveOptions observe;

    @Parameters(paramLabel = "CLUSTER", description = "team/stage")
    private String cluster;

    @Option(names = "--type", defaultValue = "full", description = "full, diff or incr (default ${DEFAULT-VALUE}).")
    private BackupType type;

    enum BackupType { full, diff, incr }

    @Override
    public Integer call() {
        Terminal t = top.terminal();
        DesiredCluster c = Selection.select(top.fleet(), List.of(cluster)).get(0);
        try (Sessions sessions = new Sessions(observe.shellOptions())) {
            Backups.BackupResult r = new Backups(sessions, new ApplyCommand.Printer(t, false)).backup(c,
                    type.name());
            t.out().println(c.id() + ": " + t.paint("✓", Palette.GOOD) + " " + r.type() + " backup from " + r.node()
                    + (r.fromStandby() ? " (standby)" : "") + r.backup().map(b -> ": " + b.label() + ", " + Units.bytes(b.size()) + " (" + Units.bytes(
                    b.repositorySize()) + " in the repository), WAL " + b.walStart() + " … " + b.walStop())
                    .orElse("") + " (" + Units.millis(r.took().toMillis()) + ")");
        }
        return 0;
    }
}
