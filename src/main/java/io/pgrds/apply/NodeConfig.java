package io.pgrds.apply;

import io.pgrds.desired.NodeSpec;
import io.pgrds.plan.ConfigFiles;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The node's own configuration files, pg_rewind and pg_basebackup: the steps several actions share. */
final class NodeConfig {
    private final ApplyContext ctx;

    NodeConfig(ApplyContext ctx) {
        this.ctx = ctx;
    }

    /**
     * A node's own configuration files (pgrds.conf, pg_hba.conf, the include, the standby file and, for a
     * standby, standby.signal) as one batch, which the caller may extend (end create, start) before running it.
     */
    NodeOps.Batch config(NodeOps n, Optional<NodeSpec> upstream) {
        return config(n.batch(), n, upstream);
    }

    NodeOps.Batch config(NodeOps.Batch batch, NodeOps n, Optional<NodeSpec> upstream) {
        String d = n.node().dataDirectory();
        NodeOps.Batch b = batch
                .write(d + "/pgrds.conf", ConfigFiles.postgresqlConf(ctx.desired, n.node()), 0600)
                .write(d + "/pg_hba.conf", ConfigFiles.hba(ctx.desired), 0600)
                .includeOwnFiles()
                .write(d + "/" + ConfigFiles.STANDBY_CONF, standbyConf(n, upstream), 0600);
        if (upstream.isPresent()) {
            b.change("standby.signal", List.of("touch", d + "/standby.signal"));
        }
        return b;
    }

    void writeStandbyConf(NodeOps n, Optional<NodeSpec> upstream) {
        n.write(n.node().dataDirectory() + "/" + ConfigFiles.STANDBY_CONF, standbyConf(n, upstream), 0600);
    }

    String standbyConf(NodeOps n, Optional<NodeSpec> upstream) {
        return ConfigFiles.standbyConf(n.node(), upstream, Secrets.passfile(n));
    }

    /**
     * pg_rewind from {@code source}, then the node's own configuration files again: pg_rewind copies the
     * source's (its listen address, its port, its primary_conninfo), with which the node could not start as
     * itself. Ends configured as a standby of {@code source}, not started.
     *
     * <p>A flag beside the data directory says how far a rewind got, so that an apply killed in the middle is
     * finished right: {@code begun} (pg_rewind may have stopped half-way: the data directory is in no state to
     * trust, so it is copied afresh, the old one kept aside), {@code done} (pg_rewind finished: running it again on
     * a rewound directory would take its new timeline for its own history, so only the configuration is written,
     * unless the server started since: then the flag is stale and the node is rewound as if it were not there).
     */
    void rewind(NodeOps n, NodeSpec source) {
        String flag = n.paths().stateDirectory() + "/rewind";
        // "done" counts only while pg_control is no newer than the flag: a server started since rewrote it, and
        // whatever the flag said is history
        String before = ctx.options.dryRun() ? "" : n.check(List.of("sh", "-c", "[ -f \"$1\" ] || exit 0; "
                + "s=$(cat \"$1\"); if [ \"$s\" = done ] && [ \"$2\" -nt \"$1\" ]; then echo stale; else echo \"$s\"; fi",
                "sh", flag, n.node().dataDirectory() + "/global/pg_control")).stdout().strip();
        boolean copied = false;
        if (before.equals("done")) {
            ctx.listener.progress(ctx.desired.id(), n.node().name(), "rewound by an apply that was interrupted "
                    + "before the node was configured: configuring it");
        } else if (before.equals("begun")) {
            copyAfresh(n, source, "an apply was interrupted while pg_rewind ran on it");
            copied = true;
        } else {
            n.change("mark the rewind begun", List.of("sh", "-c", "echo begun > \"$1\"", "sh", flag));
            copied = pgRewind(n, source);
            n.change("mark the rewind done", List.of("sh", "-c", "echo done > \"$1\"", "sh", flag));
        }
        FaultPoint.reached(FaultPoint.REJOIN_REWOUND);
        NodeOps.Batch own = config(n, Optional.of(source)).change("the rewind is over", List.of("rm", "-f", flag));
        (copied ? own.endCreate() : own).run();
        FaultPoint.reached(FaultPoint.REJOIN_CONFIGURED);
    }

    /** pg_rewind itself; returns true when it could not rewind (WAL gone) and the node was copied afresh instead. */
    private boolean pgRewind(NodeOps n, NodeSpec source) {
        Map<String, String> server = new LinkedHashMap<>();
        server.put("host", source.host());
        server.put("port", Integer.toString(source.port()));
        server.put("user", "pgrds");
        server.put("dbname", "postgres");
        checkpointAfterPromotion(ctx.ops(source.name()));
        try {
            n.change("pg_rewind", List.of("env", "PGPASSFILE=" + Secrets.passfile(n), n.bin("pg_rewind"),
                    "--target-pgdata=" + n.node().dataDirectory(), "--source-server="
                    + ConfigFiles.conninfo(server)), null, Duration.ofHours(2), null);
            return false;
        } catch (ApplyException e) {
            if (!walGone(e.getMessage())) {
                throw e;
            }
            copyAfresh(n, source, "pg_rewind cannot rewind it, the WAL it needs is gone (" + NodeOps.tail(
                    e.getMessage()) + ")");
            return true;
        }
    }

    /**
     * A node that cannot be rewound is copied afresh from {@code source}. Its data directory is moved aside, never
     * deleted: what it held beyond the point where the timelines parted stays there for whoever needs it.
     */
    private void copyAfresh(NodeOps n, NodeSpec source, String why) {
        String aside = n.node().dataDirectory() + ".before-rejoin-" + java.time.LocalDateTime.now(
                java.time.ZoneOffset.UTC).format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        ctx.listener.progress(ctx.desired.id(), n.node().name(), why + ": moving the data directory aside to "
                + aside + " and copying it afresh from " + source.name());
        n.change("move the data directory aside", List.of("mv", "-T", n.node().dataDirectory(), aside));
        n.prepareDirectories();
        copyFrom(n, ctx.ops(source.name()), "copy from " + source.name() + " after a rewind that could not be");
        ctx.listener.notice(ctx.desired.id(), n.node().name() + " could not be rewound (" + why + "), so it was copied "
                + "afresh from " + source.name() + ". Its former data directory is kept at " + aside + " on "
                + n.node().host() + ": remove it once nobody needs what it held.");
    }

    /** pg_rewind's own words for WAL of the target that is no longer there (recycled after a checkpoint). */
    static boolean walGone(String message) {
        String m = String.valueOf(message);
        return m.contains("could not find previous WAL record") || m.contains("could not read WAL record")
                || (m.contains("pg_wal/") && m.contains("No such file or directory"));
    }

    /**
     * pg_basebackup from {@code source} into the node's empty data directory, flagged as being created (the
     * caller ends the create once the node's own configuration is written).
     */
    void copyFrom(NodeOps n, NodeOps source, String what) {
        n.beginCreate(what);
        NodeSpec src = source.node();
        long total = ctx.options.dryRun() ? 0 : sourceSize(source);
        ctx.listener.progress(ctx.desired.id(), n.node().name(), "pg_basebackup from " + src.name() + " (WAL streamed"
                + (total > 0 ? ", about " + io.pgrds.util.Units.bytes(total) : "") + ")");
        try (Progress p = Progress.watch(n, total, ctx.desired.id(), ctx.listener, ctx.options.dryRun())) {
            n.change("pg_basebackup", List.of("env", "PGPASSFILE=" + Secrets.passfile(n), n.bin("pg_basebackup"),
                    "-h", src.host(), "-p", Integer.toString(src.port()), "-U", "replicator", "-D",
                    n.node().dataDirectory(), "-X", "stream", "-c", "fast", "--no-password",
                    "--label=pgrds clone " + n.node().name()), null, Duration.ofHours(12), null);
        }
    }

    long sourceSize(NodeOps source) {
        try {
            List<String> r = source.query("select sum(pg_database_size(oid))::bigint from pg_database");
            return r.isEmpty() ? 0 : Long.parseLong(r.get(0).strip());
        } catch (RuntimeException e) {
            return 0; // progress is a courtesy; the copy itself does not depend on it
        }
    }

    /**
     * A checkpoint on the source of a rewind, which may have been promoted a moment ago: until one completes,
     * pg_control still names its old timeline, and pg_rewind (PostgreSQL 15) would take the two for one history.
     * Not done right after every promotion: under heavy writes it would let the new primary recycle the WAL its
     * old primary needs to follow it (wal_keep_size gives that slack).
     */
    void checkpointAfterPromotion(NodeOps n) {
        if (!ctx.options.dryRun()) {
            n.query("checkpoint");
        } else {
            ctx.listener.command(ctx.desired.id(), n.node().name(), "psql -c checkpoint");
        }
    }
}
