package io.pgrds.app;

import io.pgrds.apply.ApplyListener;
import io.pgrds.apply.Audit;
import io.pgrds.apply.BackupResult;
import io.pgrds.apply.Backups;
import io.pgrds.apply.RestoreDrill;
import io.pgrds.apply.VerifyResult;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.Observer;
import io.pgrds.plan.BackupChoice;
import io.pgrds.plan.BackupRules;
import io.pgrds.transport.Sessions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Backups as every other change is made: observe the cluster, let a pure rule choose the node (refusing on two
 * primaries or a node it cannot see), then run pgBackRest there. Also the list of backups and the restore drill.
 */
public final class BackupService {
    private final Sessions sessions;
    private final ObserveSettings settings;
    private final ApplyListener listener;

    public BackupService(Sessions sessions, ObserveSettings settings, ApplyListener listener) {
        this.sessions = sessions;
        this.settings = settings;
        this.listener = listener;
    }

    /** A backup pgrds refused to take: nothing ran; the message names every reason and the next step. */
    public static final class Refused extends PgrdsException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(ErrorCode.PLAN_REFUSED, message);
        }
    }

    /** Where a backup of the cluster would be taken now, or why none would. */
    public BackupChoice choose(DesiredCluster c) {
        configured(c);
        ObservedCluster observed = new Observer(sessions, settings.parallel(), settings.deadline()).observe(c);
        return BackupRules.choose(c, observed);
    }

    /** Takes a backup ({@code full}, {@code diff}, {@code incr}) where {@link #choose} says; refused as it says. */
    public BackupResult backup(DesiredCluster c, String type) {
        BackupChoice choice = choose(c);
        if (choice instanceof BackupChoice.Refused r) {
            throw new Refused(c.id() + ": no " + type + " backup was taken. " + r.refusals().stream()
                    .map(x -> x.code() + ": " + x.message() + " Next: " + x.nextStep())
                    .collect(Collectors.joining(" | ")));
        }
        return new Backups(sessions, listener).backup(c, (BackupChoice.Take) choice, type);
    }

    /** The stanza's backups and the window they restore to. */
    public BackupCatalog list(DesiredCluster c) {
        configured(c);
        return new Backups(sessions, listener).info(c);
    }

    /**
     * The restore drill on {@code node} (default: the first in the file); its result is added to the cluster's
     * history as {@code who} ran it.
     */
    public VerifyResult verify(DesiredCluster c, Optional<String> node, ApplySettings who) {
        configured(c);
        RestoreDrill drill = new RestoreDrill(sessions, listener);
        VerifyResult r = drill.verify(c, node);
        String what = "verify-backup " + r.backupLabel().orElse("(no backup)") + " on " + r.node()
                + r.lastTransaction().map(x -> ": last transaction " + x).orElse("");
        drill.audit(c, r, new Audit(Instant.now().toString(), who.user(), who.host(), c.id().toString(),
                Optional.empty(), false, List.of(new Audit.Entry(what, r.ok() ? "done" : "failed",
                r.took().toMillis(), r.error())), r.ok() ? "ok" : "failed"));
        return r;
    }

    private static void configured(DesiredCluster c) {
        if (c.backup().isEmpty()) {
            throw new PgrdsException(ErrorCode.USAGE, c.id() + " has no backup: in its file; add `backup: "
                    + "{repository: …}`, apply, then try again.");
        }
    }
}
