package io.pgrds.apply;

import io.pgrds.desired.Durability;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.Lsn;
import io.pgrds.plan.Action;
import io.pgrds.transport.TransportException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Who is primary: start a stopped one, fence a stale or lost one, promote a standby in place of a lost primary,
 * hand over by switchover. Each checks its precondition on the servers right before it acts.
 */
final class HandoverSteps extends NodeSteps {

    HandoverSteps(ApplyContext ctx) {
        super(ctx);
    }

    /**
     * Starts a stopped node. A node holding primary data (no standby.signal) is started only while no other node
     * of the cluster runs as a primary: checked on the servers right before, since a promotion elsewhere since
     * the plan would make it a second one.
     */
    void startNode(String name) {
        NodeOps n = ctx.ops(name);
        if (n.running()) {
            return;
        }
        if (!ctx.options.dryRun() && !n.exists(n.node().dataDirectory() + "/standby.signal")) {
            for (NodeOps other : ctx.reachable()) {
                String o = other.node().name();
                if (o.equals(name) || ctx.fenced.contains(o)) {
                    continue;
                }
                boolean writable;
                try {
                    writable = other.running() && other.query("select pg_is_in_recovery()").equals(List.of("f"));
                } catch (ApplyException | TransportException e) {
                    writable = false; // not answering SQL: not accepting writes either
                }
                if (writable) {
                    throw new ApplyException("start " + name + " refused: it holds primary data and " + o + " runs "
                            + "as a primary now; starting it would make two. Nothing was changed; plan again.");
                }
            }
        }
        n.start();
        if (ctx.observed.nodes().stream().anyMatch(o -> o.name().equals(name) && o.state() == NodeState.PRIMARY)) {
            // the primary that had stopped runs again: the markers written after this apply name it, as before it
            // stopped (a later failover plan relies on them to know whom to fence)
            ctx.primary = Optional.of(name);
        }
    }

    /**
     * Makes sure a node cannot accept writes: stops its server (fast, else immediate), or runs the cluster's fence
     * hook, which must exit 0. Either way the node counts as fenced for the rest of this apply.
     */
    void fence(Action.Fence a) {
        if (a.method() == Action.Fence.Method.HOOK) {
            String hook = a.hook().orElseThrow(() -> new ApplyException("the plan fences " + a.node() + " with "
                    + "a hook but names none; plan again"));
            NodeSpec spec = ctx.specs.get(a.node());
            if (spec == null) {
                throw new ApplyException("pgrds knows no address of " + a.node() + " to give the fence hook; "
                        + "plan again");
            }
            ctx.listener.command(ctx.desired.id(), "local", hook + "  (PGRDS_NODE=" + a.node() + " PGRDS_NODE_HOST="
                    + spec.host() + " PGRDS_NODE_PORT=" + spec.port() + ")");
            if (!ctx.options.dryRun()) {
                Hook.fence(hook, ctx.desired.id(), spec, Duration.ofMinutes(5));
            }
            ctx.listener.progress(ctx.desired.id(), a.node(), "fenced by the hook " + hook);
        } else {
            NodeOps n = ctx.ops(a.node());
            // where systemd runs, the unit is disabled whether the server runs or not (a stop disables it first): a
            // reboot must never bring the node back as a second primary
            if (n.running()) {
                try {
                    n.stop("fast");
                } catch (ApplyException e) {
                    // a server that does not stop in time must still stop: nothing is lost by an immediate
                    // stop, the next start recovers from its WAL
                    n.stopImmediately();
                }
            } else {
                n.disableAtBoot();
                n.stopUnit();
            }
            if (!ctx.options.dryRun() && n.running()) {
                throw new ApplyException(a.node() + " still runs after pg_ctl stop; stop it by hand (it must not "
                        + "accept writes beside the primary), then apply again");
            }
        }
        ctx.fenced.add(a.node());
        ctx.deactivatedOrStopped(a.node());
    }

    /**
     * Promotes a standby in place of a lost primary. Right before it, the precondition is checked again on the
     * servers: the former primary, when it can be reached, does not run as a primary; when it cannot, it was
     * fenced by this apply's hook or by the operator's word; and the standby does not hear from a live sender.
     */
    void promote(Action.Promote a) {
        NodeOps n = ctx.ops(a.node());
        // read-only: a dry run checks them too
        formerCannotWrite(a);
        notReceivingFromALiveSender(n, a);
        FaultPoint.reached(FaultPoint.PROMOTE_FENCED);
        if (!n.running()) {
            n.start();
        }
        n.promote();
        repl.waitWritable(n);
        FaultPoint.reached(FaultPoint.PROMOTE_PROMOTED);
        conf.writeStandbyConf(n, Optional.empty());
        n.reload();
        ctx.primary = Optional.of(a.node());
        // the record names the pinned node the primary moved away from: after a second failover (pin A, A → B
        // recorded, then B → C) it is still A, so the pin stays a preference and nothing switches back by itself
        a.formerPrimary().ifPresent(former -> ctx.failover = Optional.of(new io.pgrds.observe.Marker.Failover(
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                ctx.failover.filter(f -> f.to().equals(former) && ctx.desired.primary().equals(Optional.of(f.from())))
                        .map(io.pgrds.observe.Marker.Failover::from).orElse(former), a.node(),
                ctx.options.user() + "@" + ctx.options.host())));
        // from here on every node's marker names the new primary: an apply stopped now resumes from there
        ctx.writeMarkers(false);
        if (ctx.desired.backup().isPresent()) {
            // pgBackRest refuses archive_mode = always, so standbys do not archive what they receive
            ctx.listener.notice(ctx.desired.id(), a.node() + " now archives into stanza " + io.pgrds.desired.BackupSpec
                    .stanza(ctx.desired.id()) + " from its new timeline. WAL the lost primary had not archived "
                    + "yet is not in the archive: take a full backup now (pgrds backup " + ctx.desired.id()
                    + " --type full) so that point-in-time restores from here on do not depend on it.");
        }
    }

    /** The former primary may not accept writes when a standby is promoted in its place. */
    void formerCannotWrite(Action.Promote a) {
        if (a.formerPrimary().isEmpty() || ctx.fenced.contains(a.formerPrimary().get())) {
            return;
        }
        String former = a.formerPrimary().get();
        if (!ctx.specs.containsKey(former)) {
            if (a.fencing() == Action.Promote.Fencing.OPERATOR) {
                return;
            }
            throw new ApplyException("promote " + a.node() + " refused: pgrds cannot check the former primary "
                    + former + " and it was not fenced; nothing was changed");
        }
        NodeOps f;
        boolean runsAsPrimary;
        try {
            f = ctx.ops(former);
            runsAsPrimary = f.running() && !f.query("select pg_is_in_recovery()").equals(List.of("t"));
        } catch (TransportException | ApplyException e) {
            if (a.fencing() == Action.Promote.Fencing.OPERATOR) {
                return; // the operator's word: it is fenced; the standby's side is checked next
            }
            if (a.fencing() == Action.Promote.Fencing.QUORUM) {
                quorumStillDetached(a);
                return;
            }
            throw new ApplyException("promote " + a.node() + " refused: the former primary " + former + " was "
                    + (a.fencing() == Action.Promote.Fencing.HOOK ? "to be fenced by the hook first"
                    : "seen stopped when planned") + ", and pgrds cannot check it now (" + e.getMessage()
                    + "); it may have started again. Nothing was changed; plan again.");
        }
        if (runsAsPrimary) {
            throw new ApplyException("promote " + a.node() + " refused: the former primary " + former + " runs "
                    + "as a primary now; nothing was changed. Plan again: pgrds hands over from it without loss.");
        }
        // stopped, and reachable: where systemd runs it, a reboot must not start it as a second primary beside the
        // one promoted now (a rejoin enables it again as a standby)
        f.disableAtBoot();
    }

    /**
     * A failover fenced by the quorum goes on only while it still holds: N−K+1 standbys of the file have no WAL
     * receiver running (looked at on the servers right before the promotion, as every precondition is).
     */
    private void quorumStillDetached(Action.Promote a) {
        if (!(ctx.desired.durability() instanceof Durability.Quorum q)) {
            throw new ApplyException("promote " + a.node() + " refused: it was planned as fenced by a quorum, but the "
                    + "file no longer asks for quorum durability; nothing was changed. Plan again.");
        }
        int needed = ctx.desired.nodes().size() - 1 - q.k() + 1;
        List<String> detached = new java.util.ArrayList<>();
        for (NodeSpec s : ctx.desired.nodes()) {
            if (s.name().equals(a.formerPrimary().orElse(""))) {
                continue;
            }
            try {
                NodeOps n = ctx.ops(s.name());
                if (n.running() && n.query("select pg_is_in_recovery() and not exists (select 1 from "
                        + "pg_stat_wal_receiver where status = 'streaming')").equals(List.of("t"))) {
                    detached.add(s.name());
                }
            } catch (TransportException | ApplyException e) {
                // not counted
            }
        }
        if (detached.size() < needed || !detached.contains(a.node())) {
            throw new ApplyException("promote " + a.node() + " refused: it was planned as fenced by a quorum of " + needed
                    + " detached standbys, and now only " + (detached.isEmpty() ? "none" : String.join(", ", detached))
                    + (detached.size() == 1 ? " is" : " are") + "; the former primary " + a.formerPrimary().orElse("?")
                    + " could collect acknowledgements again. Nothing was changed; plan again.");
        }
    }

    /**
     * A standby that streams, or heard from its sender within {@link io.pgrds.plan.Planner#RECEIVED_RECENTLY_MILLIS}, proves the
     * sender alive: nothing is promoted then, unless the sender was fenced by this apply, or is the former
     * primary the operator said is fenced and the last message is older than that.
     */
    void notReceivingFromALiveSender(NodeOps n, Action.Promote a) {
        List<String> r = n.query("select coalesce(status, '') || '|' || coalesce(sender_host || ':' || "
                + "sender_port, '') || '|' || coalesce((extract(epoch from now() - last_msg_receipt_time) * 1000)"
                + "::bigint::text, '') from pg_stat_wal_receiver");
        if (r.isEmpty()) {
            return;
        }
        String[] f = r.get(0).split("\\|", -1);
        boolean streaming = f[0].equals("streaming");
        long age = f.length > 2 && !f[2].isEmpty() ? Long.parseLong(f[2]) : Long.MAX_VALUE;
        if (!streaming && age > io.pgrds.plan.Planner.RECEIVED_RECENTLY_MILLIS) {
            return;
        }
        String sender = f.length > 1 ? f[1] : "";
        Optional<String> senderNode = ctx.specs.values().stream().filter(s -> (s.host() + ":" + s.port()).equals(
                sender)).map(NodeSpec::name).findFirst();
        if (senderNode.isPresent() && ctx.fenced.contains(senderNode.get())) {
            return;
        }
        if (senderNode.isPresent() && senderNode.equals(a.formerPrimary())
                && a.fencing() == Action.Promote.Fencing.OPERATOR && age > io.pgrds.plan.Planner.RECEIVED_RECENTLY_MILLIS) {
            return;
        }
        if (senderNode.isPresent() && senderNode.equals(a.formerPrimary())
                && a.fencing() == Action.Promote.Fencing.SEEN_STOPPED) {
            NodeOps former = ctx.ops(senderNode.get());
            if (!former.running()) {
                return; // stopped: the receiver has not noticed yet
            }
        }
        throw new ApplyException("promote " + a.node() + " refused: " + a.node() + " "
                + (streaming ? "streams" : "received WAL") + " from " + senderNode.orElse(sender)
                + (age == Long.MAX_VALUE ? "" : " (last message " + age + " ms ago)") + ", which is alive as a "
                + "primary; promoting now would make two primaries. Nothing was changed. Stop or fence "
                + senderNode.orElse(sender) + " first, then plan again.");
    }

    /**
     * Planned handover without loss. The old primary is checkpointed and stopped cleanly (or, when an earlier
     * apply was interrupted right after that, found so); the target replays its shutdown checkpoint; then it is
     * promoted, the markers name it, and the old primary follows it as a standby (rewound only when it cannot).
     * Every step checks its precondition on the servers first: a primary that stopped by itself (crashed) is
     * never handed over from, since its last commits may be only on its disk.
     */
    void switchover(String from, String to) {
        NodeOps old = ctx.ops(from);
        NodeOps target = ctx.ops(to);
        if (ctx.options.dryRun()) {
            showSwitchover(old, target);
            return;
        }
        Replication.Control last = stopCleanly(old, target);
        FaultPoint.reached(FaultPoint.SWITCHOVER_STOPPED);
        // the quorum's other standbys first (they do not depend on the target), then, in one round trip on the
        // target, its replay past the shutdown checkpoint and the promotion: no commit is lost, and the window
        // clients see is the servers' own time plus two round trips
        awaitQuorum(old, target, last.checkpoint());
        ctx.listener.progress(ctx.desired.id(), to, "waiting to replay " + from + "'s last WAL (" + last.checkpoint()
                + "), then promoting it");
        if (target.promoteWhenReplayedPast(last.checkpoint(), Duration.ofSeconds(30))
                == NodeOps.Promotion.NOT_REPLAYED) {
            ctx.listener.progress(ctx.desired.id(), from, to + " did not catch up: starting " + from + " again as "
                    + "primary");
            old.start();
            throw new ApplyException("switchover " + from + " → " + to + " rolled back: " + to + " did not replay "
                    + from + "'s final WAL (" + last.checkpoint() + ") within 30 s, so promoting it could lose "
                    + "commits. " + from + " runs as primary again; check replication and apply again");
        }
        repl.waitWritable(target);
        FaultPoint.reached(FaultPoint.SWITCHOVER_PROMOTED);
        conf.writeStandbyConf(target, Optional.empty());
        target.reload();
        ctx.primary = Optional.of(to);
        // from here on every node's marker names the new primary: an apply stopped now resumes from there
        ctx.writeMarkers(false);
        FaultPoint.reached(FaultPoint.SWITCHOVER_MARKED);
        follow(old, target);
    }

    /**
     * With {@code durability: {quorum: K}} the handover point must be where a commit would be: on K standbys. The
     * target replayed it; K−1 of the other standbys must have received it too before the target is promoted, so the
     * new primary starts with a quorum that already holds everything, and its first commit is not the first to
     * wait. When they do not within 30 s the old primary is started again, as when the target does not catch up.
     */
    private void awaitQuorum(NodeOps old, NodeOps target, Lsn checkpoint) {
        if (!(ctx.desired.durability() instanceof Durability.Quorum q) || q.k() < 2) {
            return;
        }
        String from = old.node().name();
        String to = target.node().name();
        List<NodeOps> others = ctx.reachable().stream()
                .filter(n -> !n.node().name().equals(from) && !n.node().name().equals(to)).toList();
        ctx.listener.progress(ctx.desired.id(), to, "waiting for " + (q.k() - 1) + " more standby(s) to receive "
                + from + "'s last WAL (quorum " + q.k() + ")");
        int have = repl.receivedPast(others, checkpoint, q.k() - 1, Duration.ofSeconds(30));
        if (have < q.k() - 1) {
            old.start();
            throw new ApplyException("switchover " + from + " → " + to + " rolled back: durability is quorum "
                    + q.k() + " but only " + (have + 1) + " standby(s) received " + from + "'s final WAL ("
                    + checkpoint + ") within 30 s, so " + to + " could not have committed anything. " + from
                    + " runs as primary again; check that " + q.k() + " standbys stream, then apply again");
        }
    }

    /** A dry run's switchover: the same changes in the same order; the waits in between are reads. */
    private void showSwitchover(NodeOps old, NodeOps target) {
        old.disableAtBoot();
        ctx.listener.command(ctx.desired.id(), old.node().name(), "psql -c checkpoint");
        old.stopFastReadingControl();
        target.promoteWhenReplayedPast(null, Duration.ofSeconds(30));
        conf.writeStandbyConf(target, Optional.empty());
        target.reload();
        ctx.primary = Optional.of(target.node().name());
        ctx.writeMarkers(false);
        old.stopUnit();
        conf.config(old, Optional.of(target.node())).run();
        old.start();
    }

    /**
     * The old primary stopped cleanly, after the target was seen streaming from it (or found so: an interrupted
     * switchover); returns its control data, whose shutdown checkpoint is the bar the target must replay past. A
     * primary that stopped by itself is started again and the switchover refused: its last commits may be only on
     * its disk.
     */
    private Replication.Control stopCleanly(NodeOps old, NodeOps target) {
        String from = old.node().name();
        String to = target.node().name();
        if (old.running()) {
            if (!repl.peerStreams(old, to, Duration.ofSeconds(60))) {
                throw new ApplyException("switchover " + from + " → " + to + " refused: " + to + " is not "
                        + "streaming from " + from + " (waited 60 s); nothing was changed. Check " + to
                        + "'s log " + target.paths().serverLog() + ", then plan again.");
            }
            FaultPoint.reached(FaultPoint.SWITCHOVER_CHECKED);
            // where systemd runs: from here a reboot of the old primary does not start it (it could come back as a
            // second primary once the target is promoted); done before the window in which clients wait
            old.disableAtBoot();
            old.query("checkpoint");
            Replication.Control c = Replication.control(old, old.stopFastReadingControl(), "");
            return cleanly(old, target, c);
        }
        // found stopped (an interrupted switchover): disabled all the same before the target is promoted
        old.disableAtBoot();
        return cleanly(old, target, repl.control(old));
    }

    /** The control data of a stopped old primary, if it shut down cleanly; else it is started again and refused. */
    private Replication.Control cleanly(NodeOps old, NodeOps target, Replication.Control c) {
        String from = old.node().name();
        String to = target.node().name();
        if (!c.shutDownCleanly()) {
            ctx.listener.progress(ctx.desired.id(), from, "not shut down cleanly (" + c.state() + "): starting it "
                    + "again");
            old.start();
            throw new ApplyException("switchover " + from + " → " + to + " refused: " + from + " stopped "
                    + "without a clean shutdown (" + c.state() + "), so its last commits may be only on its disk. "
                    + from + " runs as primary again; plan again to hand over once " + to + " has caught up.");
        }
        return c;
    }

    /**
     * The old primary follows the new one. Its WAL ends at the shutdown checkpoint, which the target replayed, so no
     * rewind is needed unless it cannot stream.
     */
    private void follow(NodeOps old, NodeOps target) {
        // pg_ctl stopped it; the unit (if any) is inactive too before it starts again as a standby
        old.stopUnit();
        conf.config(old, Optional.of(target.node())).run();
        FaultPoint.reached(FaultPoint.SWITCHOVER_CONFIGURED);
        old.start();
        if (!repl.streams(old, Duration.ofSeconds(20))) {
            ctx.listener.progress(ctx.desired.id(), old.node().name(), "not streaming from " + target.node().name()
                    + ": rewinding with pg_rewind");
            old.stop("fast");
            conf.rewind(old, target.node());
            old.start();
            repl.waitStreaming(old, target.node().name());
        }
    }
}
