package io.pgrds.apply;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.plan.Action;
import io.pgrds.plan.ConfigFiles;
import io.pgrds.util.Sql;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Creating a primary: initdb, or a restore of another cluster's backup recovered to its target. */
final class CreateSteps extends NodeSteps {
    private final Roles roles;

    CreateSteps(ApplyContext ctx, Roles roles) {
        super(ctx);
        this.roles = roles;
    }

    /** The recovery settings pgBackRest writes into postgresql.auto.conf, reset once a restored node is promoted. */
    private static final String RESET_RECOVERY = String.join("\n", java.util.stream.Stream.of("restore_command",
            "recovery_target", "recovery_target_time", "recovery_target_lsn", "recovery_target_name",
            "recovery_target_xid", "recovery_target_action", "recovery_target_inclusive",
            "recovery_target_timeline").map(s -> "alter system reset " + s + ";").toList())
            + "\nselect pg_reload_conf();";

    /**
     * Waits on the node itself until recovery has ended, in one psql session: it looks every 20 ms for up to a
     * minute; once promoted, it resets the recovery settings and reloads, and prints {@code f|}, the WAL file the
     * server writes in, {@code |} and the system identifier; still recovering, it prints {@code t|} and changes
     * nothing. A restored node is seen writable within a few milliseconds of its promotion, and is left without
     * its recovery settings in the same round trip.
     */
    private static final String AWAIT_PROMOTED = "do $$ begin for i in 1..3000 loop exit when not pg_is_in_recovery(); "
            + "perform pg_sleep(0.02); end loop; end $$;\n"
            + "select pg_is_in_recovery() as recovering, case when pg_is_in_recovery() then '' else "
            + "pg_walfile_name(pg_current_wal_lsn()) end as reached \\gset\n"
            + "\\if :recovering\nselect 't|';\n\\else\n" + RESET_RECOVERY + "\nselect 'f|' || :'reached' || '|' || "
            + "system_identifier from pg_control_system();\n\\endif\n";

    void initPrimary(String name) {
        NodeOps n = ctx.ops(name);
        n.prepareDirectories();
        n.beginCreate("initdb");
        n.initdb();
        ctx.created = true;
        ctx.secrets = Secrets.generate();
        ctx.secrets.write(n);
        conf.config(n, Optional.empty()).endCreate().start().run();
        roles.createRoles(n);
        ctx.primary = Optional.of(name);
        NodeSpec s = n.node();
        ctx.listener.notice(ctx.desired.id(), "The admin password of " + ctx.desired.id() + " is shown this once (pgrds "
                + "credentials " + ctx.desired.id() + " shows it again):\n    " + (ctx.options.dryRun() ? "(dry run)"
                : ctx.secrets.password("admin")) + "\n  Connect with:\n    psql \"host=" + s.host() + " port="
                + s.port() + " user=admin dbname=postgres\"");
    }

    /**
     * Restores the source cluster's backup into an empty data directory (flagged as being created until the
     * node is promoted), recovers to the target and promotes. Recovery reads the SOURCE's stanza through a
     * restore-only pgBackRest file; pgrds.conf carries this cluster's own archive_command, so nothing the
     * clone writes ever reaches the source's archive. The recovery settings pgBackRest wrote are reset once
     * promoted, so that standbys cloned from this node do not inherit them.
     */
    void restorePrimary(Action.RestorePrimary a) {
        DesiredCluster source = ctx.fleet.apply(a.from()).orElseThrow(() -> new ApplyException("the restore "
                + "source " + a.from() + " is not in the fleet repository"));
        io.pgrds.desired.BackupSpec backup = source.backup().orElseThrow(() -> new ApplyException("the "
                + "restore source " + a.from() + " has no backup: in its file; there is nothing to restore"));
        NodeOps n = ctx.ops(a.node());
        // the source's passwords, read from its nodes over the network since the apply began (or from now on)
        // and joined before pgBackRest starts: reads during the restore slowed its single decompressing
        // process (measured: 0.35 s of a 5 s restore on two cores)
        ctx.prefetchSourceSecrets(a.from());
        CompletableFuture<Optional<Secrets>> fromSource = ctx.sourceSecrets != null ? ctx.sourceSecrets
                : CompletableFuture.completedFuture(Optional.empty());
        n.batch().prepareDirectories().beginCreate("restore from " + a.from())
                .write(ConfigFiles.pgbackrestRestoreConfPath(n.node()), ConfigFiles.pgbackrestRestoreConf(a.from(),
                        backup.repository(), n.node()), 0600)
                .run();
        Backups.linkCredentials(n, backup.repository(), true);
        Optional<Secrets> copied = fromSource.join();
        pgbackrestRestore(n, a, backup);
        ctx.created = true;
        try {
            conf.config(n.batch().change("no standby.signal", List.of("rm", "-f", n.node().dataDirectory()
                    + "/standby.signal")), n, Optional.empty()).start(false).run();
        } catch (ApplyException e) {
            // recovery that fails at once (a target it cannot reach) stops the server before pg_ctl sees it up
            throw recoveryFailed(n, "did not start after the restore (" + e.getMessage() + ")");
        }
        // the server recovers on its own from here (the data directory stays flagged as being created until
        // it is promoted); the cluster's passwords are written beside it meanwhile: nothing in recovery needs them
        keepSecrets(n, a, copied);
        ctx.listener.progress(ctx.desired.id(), a.node(), "recovering to " + a.target() + ", then promoting");
        Optional<String> reached = promotedAndReset(n);
        a.archivedUpTo().ifPresent(max -> reached.filter(r -> Backups.stoppedShort(max, r)).ifPresent(r ->
                ctx.listener.notice(ctx.desired.id(), "Recovery of " + a.node() + " ended in WAL segment " + r
                        + " (timeline and segment), but the archive of " + a.from() + " held WAL up to "
                        + max + " when planned: segments in between are missing, typically WAL a lost "
                        + "primary of " + a.from() + " never archived before a failover. " + ctx.desired.id()
                        + " has the data up to the last transaction before that gap, not the latest. A full "
                        + "backup of " + a.from() + " taken after the gap restores past it (pgrds backups "
                        + a.from() + ").")));
        if (copied.isEmpty()) {
            newPasswords(n, a);
        }
        n.endCreate();
        // promoted and no longer being created: from now on a reboot brings it back (where systemd runs)
        n.enableAtBoot();
        ctx.primary = Optional.of(a.node());
    }

    /** pgBackRest restores the backup the plan named (not whichever is newest by now), with the recovery target. */
    private void pgbackrestRestore(NodeOps n, Action.RestorePrimary a, io.pgrds.desired.BackupSpec backup) {
        List<String> argv = Backups.pgbackrest(ConfigFiles.pgbackrestRestoreOptions(n.node(),
                backup.repository()), "--stanza=" + io.pgrds.desired.BackupSpec.stanza(a.from()));
        a.backup().ifPresent(label -> argv.add("--set=" + label));
        argv.addAll(Backups.targetOptions(a.target()));
        argv.add("restore");
        ctx.listener.progress(ctx.desired.id(), a.node(), "pgbackrest restore from " + a.from() + " ("
                + a.backup().map(label -> "backup " + label + ", ").orElse("") + a.target() + ")");
        try (Progress p = Progress.watch(n, 0, ctx.desired.id(), ctx.listener, ctx.options.dryRun())) {
            n.change("pgbackrest restore", argv, null, Duration.ofHours(12), null);
        }
    }

    /** The cluster's passwords beside the restored node: the source's when read, else new ones. */
    private void keepSecrets(NodeOps n, Action.RestorePrimary a, Optional<Secrets> copied) {
        ctx.secrets = copied.orElseGet(Secrets::generate);
        ctx.secrets.write(n);
        if (copied.isEmpty() && !ctx.options.dryRun()) {
            // the role passwords pgrds does not know: pgrds and replicator get new ones below; admin keeps
            // the source's, which the team knows
            n.writeSecret(Secrets.file(n, "admin"), "(the admin password " + a.from() + " had at the "
                    + "restored point)\n");
            ctx.secrets = Secrets.read(n).orElse(ctx.secrets);
        }
    }

    /** No node of the source gave its secrets: pgrds and replicator get the new passwords written beside the node. */
    private void newPasswords(NodeOps n, Action.RestorePrimary a) {
        StringBuilder sql = new StringBuilder("set log_statement = 'none';\n");
        StringBuilder shown = new StringBuilder("set log_statement = 'none';\n");
        for (String role : List.of("pgrds", "replicator")) {
            String stmt = "do $$ begin if exists (select 1 from pg_roles where rolname = " + Sql.literal(role)
                    + ") then alter role " + Sql.identifier(role) + " password %s; end if; end $$;\n";
            sql.append(String.format(stmt, Sql.literal(ctx.secrets.password(role))));
            shown.append(String.format(stmt, "'********'"));
        }
        n.execute("new passwords for pgrds and replicator", sql.toString(), shown.toString().strip());
        ctx.listener.notice(ctx.desired.id(), "No node of " + a.from() + " gave its secrets: pgrds and replicator "
                + "have new passwords; admin keeps the password " + a.from() + " had at the restored point.");
    }

    /**
     * Why a restored node's server stopped: the server log's last FATAL or PANIC lines (typically "recovery ended
     * before configured recovery target was reached": a target after the end of the archived WAL, a restore
     * point that does not exist, or WAL missing from the archive), and how to go on.
     */
    ApplyException recoveryFailed(NodeOps n, String what) {
        String log = n.paths().serverLog();
        String said = "";
        try {
            var r = n.check(List.of("sh", "-c", "grep -E 'FATAL|PANIC' \"$1\" | tail -n 2", "sh", log));
            said = String.join(" | ", r.stdout().strip().lines().map(String::strip).toList());
        } catch (RuntimeException e) {
            // the log is the place to look anyway
        }
        return new ApplyException(n.node().name() + " " + what + (said.isEmpty() ? "" : ": " + said) + "; see "
                + log + ". The data directory is flagged as being created: fix the target (or the archive) and "
                + "apply again, it is restored afresh");
    }

    /**
     * Waits until a restored node has left recovery, then resets the recovery settings pgBackRest wrote and
     * reloads, in the same session; returns the WAL file the promoted server writes in (empty in a dry run).
     */
    Optional<String> promotedAndReset(NodeOps n) {
        ctx.listener.command(ctx.desired.id(), n.node().name(), "psql <<SQL\n" + RESET_RECOVERY + "\nSQL  (once "
                + "promoted)");
        if (ctx.options.dryRun()) {
            return Optional.empty();
        }
        long until = System.nanoTime() + Duration.ofHours(12).toNanos();
        while (System.nanoTime() < until) {
            if (!n.running()) {
                throw recoveryFailed(n, "stopped during recovery");
            }
            try {
                List<String> r = n.query(AWAIT_PROMOTED);
                String last = r.isEmpty() ? "" : r.get(r.size() - 1);
                if (last.startsWith("f|")) {
                    String[] parts = last.split("\\|", -1);
                    if (parts.length > 2 && !parts[2].isBlank()) {
                        ctx.createdSystemIdentifier = Optional.of(parts[2].strip());
                    }
                    return parts[1].isEmpty() ? Optional.empty() : Optional.of(parts[1]);
                }
                continue; // still recovering after a minute of waiting on the node: look again at once
            } catch (ApplyException e) {
                // not accepting connections yet (hot_standby off), or the wait was cancelled by a recovery
                // conflict
            }
            ctx.pause(100);
        }
        throw new ApplyException(n.node().name() + " is still recovering after 12 h; see " + n.paths()
                .serverLog());
    }
}
