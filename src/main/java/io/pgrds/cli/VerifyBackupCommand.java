package io.pgrds.cli;

import io.pgrds.util.Palette;
import io.pgrds.apply.Audit;
import io.pgrds.apply.Backups;
import io.pgrds.apply.Executor;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.transport.Sessions;
import io.pgrds.util.Units;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "verify-backup", mixinStandardHelpOptions = true,
        description = "Restore drill: restore the latest backup into a scratch directory on a node, start it "
                + "(archiving off, socket only), check it opens, report the last transaction it reached, remove it. "
                + "The result is added to the cluster's history.")
final class VerifyBackupCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Mixin
    private ObserveOptions observe;

    @Parameters(paramLabel = "CLUSTER", description = "team/stage")
    private String cluster;

    @Option(names = "--node", paramLabel = "NODE", description = "The node to restore on (default: the first in "
            + "the file).")
    private String node;

    @Override
    public Integer call() {
        Terminal t = top.terminal();
        DesiredCluster c = Selection.select(top.fleet(), List.of(cluster)).get(0);
        Backups.VerifyResult r;
        try (Sessions sessions = new Sessions(observe.shellOptions())) {
            Backups backups = new Backups(sessions, new ApplyCommand.Printer(t, false));
            r = backups.verify(c, Optional.ofNullable(node));
            Executor.Options o = Executor.Options.defaults(false);
            String what = "verify-backup " + r.backupLabel().orElse("(no backup)") + " on " + r.node()
                    + r.lastTransaction().map(x -> ": last transaction " + x).orElse("");
            backups.audit(c, r, new Audit(Instant.now().toString(), o.user(), o.host(), c.id().toString(),
                    Optional.empty(), false, List.of(new Audit.Entry(what, r.ok() ? "done" : "failed",
                    r.took().toMillis(), r.error())), r.ok() ? "ok" : "failed"));
        }
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
