package io.pgrds.apply;

import io.pgrds.observe.Lsn;
import io.pgrds.util.Sql;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Waiting on replication and recovery, and what a stopped server says of itself: reads only. */
final class Replication {
    private final ApplyContext ctx;

    Replication(ApplyContext ctx) {
        this.ctx = ctx;
    }

    /** What pg_controldata says of a stopped server: how it stopped, and its last checkpoint. */
    record Control(String state, Lsn checkpoint) {
        boolean shutDownCleanly() {
            return state.equals("shut down");
        }
    }

    Control control(NodeOps old) {
        var r = old.check(List.of(old.bin("pg_controldata"), "-D", old.node().dataDirectory()));
        return control(old, r.stdout(), r.stderr());
    }

    /** The control data as pg_controldata printed it. */
    static Control control(NodeOps old, String stdout, String stderr) {
        String state = field(stdout, "Database cluster state").orElse("unknown");
        Lsn checkpoint = field(stdout, "Latest checkpoint location").map(Lsn::parse)
                .orElseThrow(() -> new ApplyException(old.node().name() + ": pg_controldata shows no checkpoint ("
                        + NodeOps.tail(stderr) + ")"));
        return new Control(state, checkpoint);
    }

    static Optional<String> field(String controldata, String label) {
        return controldata.lines().filter(l -> l.startsWith(label + ":"))
                .map(l -> l.substring(label.length() + 1).strip()).findFirst();
    }

    /** Waits until {@code primary} sees {@code standby} streaming (it may just have been started). */
    boolean peerStreams(NodeOps primary, String standby, Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> peer = primary.query("select state from pg_stat_replication where application_name = "
                    + Sql.literal(standby));
            if (!peer.isEmpty() && peer.get(0).equals("streaming")) {
                return true;
            }
            if (System.nanoTime() > until) {
                return false;
            }
            ctx.pause(100);
        }
    }

    boolean replayedPast(NodeOps n, Lsn lsn, Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            List<String> r = n.query("select pg_last_wal_replay_lsn() > " + Sql.literal(lsn.toString()) + "::pg_lsn");
            if (!r.isEmpty() && r.get(0).equals("t")) {
                return true;
            }
            ctx.pause(20);
        }
        return false;
    }

    /**
     * Waits until {@code wanted} of {@code standbys} have received WAL past {@code lsn}; how many had when it
     * returned (fewer than {@code wanted} after {@code timeout}). A standby that cannot be asked counts as not.
     */
    int receivedPast(List<NodeOps> standbys, Lsn lsn, int wanted, Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        while (true) {
            int have = 0;
            for (NodeOps n : standbys) {
                try {
                    List<String> r = n.query("select pg_last_wal_receive_lsn() > " + Sql.literal(lsn.toString())
                            + "::pg_lsn");
                    have += !r.isEmpty() && r.get(0).equals("t") ? 1 : 0;
                } catch (ApplyException | io.pgrds.transport.TransportException e) {
                    // stopped or unreachable: it does not count towards the quorum
                }
            }
            if (have >= wanted || System.nanoTime() > until) {
                return have;
            }
            ctx.pause(20);
        }
    }

    void waitWritable(NodeOps n) {
        if (ctx.options.dryRun()) {
            return;
        }
        long until = System.nanoTime() + ctx.options.streamingTimeout().toNanos();
        while (System.nanoTime() < until) {
            List<String> r = n.query("select pg_is_in_recovery()");
            if (!r.isEmpty() && r.get(0).equals("f")) {
                return;
            }
            ctx.pause(20);
        }
        throw new ApplyException(n.node().name() + " is still in recovery " + ctx.options.streamingTimeout()
                .toSeconds() + " s after promotion; see " + n.paths().serverLog());
    }

    boolean streams(NodeOps n, Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            try {
                List<String> r = n.query("select status from pg_stat_wal_receiver");
                if (!r.isEmpty() && r.get(0).equals("streaming")) {
                    return true;
                }
            } catch (ApplyException e) {
                // still starting up
            }
            ctx.pause(200);
        }
        return false;
    }

    void waitStreaming(NodeOps n, String from) {
        if (ctx.options.dryRun()) {
            return;
        }
        if (!streams(n, ctx.options.streamingTimeout())) {
            throw new ApplyException(n.node().name() + " does not stream from " + from + " after "
                    + ctx.options.streamingTimeout().toSeconds() + " s; see its log " + n.paths().serverLog()
                    + " (authentication, pg_hba.conf or network between the nodes)");
        }
        ctx.listener.progress(ctx.desired.id(), n.node().name(), "streaming from " + from);
    }
}
