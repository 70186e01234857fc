package io.pgrds.cli;

import io.pgrds.app.ApplySettings;
import io.pgrds.app.BackupService;
import io.pgrds.apply.VerifyResult;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.util.Palette;
import io.pgrds.util.Units;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify-backup", mixinStandardHelpOptions = true,
        description = "Restore drill: restore the latest backup into a scratch directory on a node, start it "
                + "(archiving off, socket only), check it opens, report the last transaction it reached, remove it. "
                + "The result is added to the cluster's history.")
final class VerifyBackupCommand extends ClusterCommand {
    @Option(names = "--node", paramLabel = "NODE", description = "The node to restore on (default: the first in "
            + "the file).")
    private String node;

    @Override
    public Integer call() {
        Terminal t = terminal();
        var c = desired();
        VerifyResult r = connected(s -> new BackupService(s, observe.settings(), new ApplyPrinter(t, false))
                .verify(c, Optional.ofNullable(node), ApplySettings.person(false, Duration.ZERO)));
        if (!r.ok()) {
            throw new PgrdsException(ErrorCode.APPLY_FAILED, "the restore drill of " + c.id() + " on " + r.node()
                    + " failed: " + r.error().orElse("(no message)") + ". The backup"
                    + r.backupLabel().map(l -> " " + l).orElse("") + " cannot be trusted: take a new full backup "
                    + "(pgrds backup " + c.id() + " --type full) and find the cause.");
        }
        t.out().println(c.id() + ": " + t.paint("✓", Palette.GOOD) + " backup " + r.backupLabel().orElse("?")
                + " restored on " + r.node() + " and opened; last transaction " + r.lastTransaction()
                .orElse("(none replayed)") + " (" + Units.millis(r.took().toMillis()) + "); scratch copy removed");
        return 0;
    }
}
