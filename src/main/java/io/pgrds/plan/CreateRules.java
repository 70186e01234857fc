package io.pgrds.plan;

import io.pgrds.desired.Bootstrap;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.RestoreSource;
import io.pgrds.plan.Draft.Group;
import java.util.List;
import java.util.Optional;

/**
 * No data anywhere: the primary is created, by initdb or by a restore of another cluster's backup the plan names.
 */
final class CreateRules {
    private CreateRules() {
    }

    /** No data anywhere: create the primary (initdb or restore) on the pinned node, else the first in the file. */
    static PrimaryDecision bootstrap(Facts f, Draft x) {
        List<Refusal> mayHoldData = f.former.stream().filter(n -> n.state() == NodeState.UNREACHABLE
                || n.state() == NodeState.UNKNOWN).map(n -> Checks.formerMayHoldData(f, n)).toList();
        if (!mayHoldData.isEmpty()) {
            return new PrimaryDecision.Refused(mayHoldData);
        }
        String q = f.desired.bootstrapNode();
        x.settled.add(q);
        x.fresh.add(q);
        String where = f.pin.isPresent() ? q + " is pinned as primary" : q + " is the first node in the file";
        f.all.stream().flatMap(n -> n.marker().flatMap(m -> m.systemIdentifier()).stream()).findFirst()
                .ifPresent(sysid -> x.warnings.add("The markers say " + f.id + " held data before (system "
                        + "identifier " + sysid + ") but every data directory is empty now: this plan creates a NEW "
                        + "database; to get the old data back, use bootstrap.restore instead"));
        if (f.desired.bootstrap() instanceof Bootstrap.Restore r) {
            Choice chosen = restoreBackup(f, r, q);
            if (chosen.refusal().isPresent()) {
                return PrimaryDecision.refused(chosen.refusal().get());
            }
            BackupCatalog.Backup b = chosen.backup().orElseThrow();
            BackupCatalog catalog = f.restoreSource.orElseThrow().catalog().orElseThrow();
            String which = switch (r.target().kind()) {
                case LATEST -> "the newest of the " + catalog.backups().size() + " in repository "
                        + catalog.repository();
                case NAME -> "the newest of the " + catalog.backups().size() + " in repository "
                        + catalog.repository() + " (pgrds cannot tell where a named restore point lies)";
                case TIME, LSN -> "the newest of the " + catalog.backups().size() + " in repository "
                        + catalog.repository() + " that ends before the target";
            };
            // only a restore to latest must reach the archive's end; a point in time stops before it
            Optional<String> mustReach = r.target().kind() == Bootstrap.RecoveryTarget.Kind.LATEST ? catalog.walMax()
                    : Optional.empty();
            Action.RestorePrimary restore = new Action.RestorePrimary(q, r.from(), r.target(), Optional.of(b.label()),
                    mustReach, "no node of " + f.id + " holds data and the file asks for a restore; " + where
                    + "; backup " + b.label() + " (" + b.type() + ", ended " + b.stopText() + ") is "
                    + which + catalog.walMax().map(w -> "; the archive holds WAL up to " + w).orElse(""),
                    Optional.of("recovers " + r.from() + "'s backup up to " + r.target() + "; commits after that "
                            + "point are not in the new cluster"));
            x.addTold(Group.CREATE_PRIMARY, restore);
            return new PrimaryDecision.Create(q, "restore " + q + " from " + r.from() + " (backup " + b.label()
                    + ", " + r.target() + ") as primary");
        }
        x.addTold(Group.CREATE_PRIMARY, new Action.InitPrimary(q, "no node of " + f.id + " holds data; "
                + where, Optional.empty()));
        return new PrimaryDecision.Create(q, "init " + q + " as primary");
    }

    /** The backup a restore starts from, or why there is none to choose. */
    private record Choice(Optional<BackupCatalog.Backup> backup, Optional<Refusal> refusal) {
        static Choice refused(Refusal r) {
            return new Choice(Optional.empty(), Optional.of(r));
        }
    }

    /**
     * The backup of the restore source that recovery to the target starts from, as the node to restore into read
     * the source's repository, or the refusal when it could not be read or no backup qualifies. Apply restores
     * exactly this backup.
     */
    private static Choice restoreBackup(Facts f, Bootstrap.Restore r, String node) {
        if (f.restoreSource.isEmpty() || f.restoreSource.get().catalog().isEmpty()) {
            String why = f.restoreSource.flatMap(RestoreSource::error).map(e -> ": " + String.join(" ", e.lines()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList())).orElse(" (it was not "
                    + "read: the observation of " + node + " did not include it)");
            return Choice.refused(Refusal.of(RefusalCode.RESTORE_SOURCE_UNREADABLE, f.id, node, "Unable to plan the "
                    + "restore of " + f.id + ": " + node + " could not read the backups of " + r.from() + why,
                    "Check that " + node + " reaches " + r.from() + "'s repository (the path, or the s3 endpoint, its "
                    + "CA and credentials file) and that pgbackrest is installed there, then plan again."));
        }
        if (r.target().kind() == Bootstrap.RecoveryTarget.Kind.TIME) {
            try {
                r.target().instant();
            } catch (IllegalArgumentException e) {
                return Choice.refused(Refusal.of(RefusalCode.RESTORE_TARGET_AMBIGUOUS, f.id, node, "Unable to plan "
                        + "the restore of " + f.id + ": the target time " + e.getMessage() + ". Without a zone, "
                        + "PostgreSQL reads it in the restored server's time zone, and pgrds cannot tell which backup "
                        + "ends before it.", "Add the zone offset to bootstrap.restore.target.time in "
                        + f.desired.file() + "."));
            }
        }
        BackupCatalog catalog = f.restoreSource.get().catalog().get();
        if (catalog.backups().isEmpty()) {
            return Choice.refused(Refusal.of(RefusalCode.NO_BACKUP_FOR_TARGET, f.id, node, "Unable to plan the "
                    + "restore of " + f.id + ": " + r.from() + " has no backup in repository " + catalog.repository()
                    + (catalog.status().isBlank() ? "" : " (pgBackRest: " + catalog.status() + ")") + ".",
                    "Take one with pgrds backup " + r.from() + ", then plan again."));
        }
        Optional<BackupCatalog.Backup> chosen = catalog.select(r.target());
        if (chosen.isEmpty()) {
            BackupCatalog.Backup oldest = catalog.backups().get(0);
            String end = r.target().kind() == Bootstrap.RecoveryTarget.Kind.LSN
                    ? "at LSN " + oldest.lsnStop().map(Lsn::toString).orElse("?")
                    : "at " + oldest.stopText();
            return Choice.refused(Refusal.of(RefusalCode.NO_BACKUP_FOR_TARGET, f.id, node, "Unable to plan the "
                    + "restore of " + f.id + ": no backup of " + r.from() + " ends before the target " + r.target()
                    + "; the oldest of the " + catalog.backups().size() + " in repository " + catalog.repository()
                    + ", " + oldest.label() + ", ends " + end + ". Recovery cannot stop before its backup ends.",
                    "Choose a later target (pgrds backups " + r.from() + " shows the restorable window), or "
                            + "restore from a repository that still holds an older backup."));
        }
        return new Choice(chosen, Optional.empty());
    }
}
