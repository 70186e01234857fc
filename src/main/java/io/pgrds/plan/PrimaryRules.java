package io.pgrds.plan;

import io.pgrds.observe.Lsn;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReplicationPeer;
import io.pgrds.observe.SqlFacts;
import io.pgrds.plan.Draft.Group;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Which node is the primary after the plan, and the actions that make it so: keep or start it, complete or begin a
 * switchover, fence a stale old primary, fail over. Pure, like the rest of the planner.
 *
 * <p>The safety rules (docs/safety.md):
 * <ul>
 *   <li>Of two nodes holding primary data, the stale one is recognised only when the markers or the timelines say
 *       so beyond doubt; it is fenced (stopped) first, whatever else the plan holds back. Otherwise: split brain,
 *       refused.</li>
 *   <li>A handover is a switchover: the old primary stops cleanly, the target replays its last WAL, then it is
 *       promoted. A stopped primary is started again for it, unless it was shut down cleanly and the target has
 *       already replayed all of it (an interrupted switchover, completed).</li>
 *   <li>A standby is promoted in place of a lost primary only when that primary is seen stopped, or is fenced (the
 *       cluster's fence hook, or the operator's {@code --fenced}); and never while a standby still receives WAL from
 *       a node pgrds cannot see stopped.</li>
 * </ul>
 */
final class PrimaryRules {
    /** A pinned standby further behind than this is not switched over to (the wait would block writes). */
    static final long SWITCHOVER_MAX_LAG_BYTES = 16L * 1024 * 1024;

    private PrimaryRules() {
    }

    /** Decides the primary after this plan; adds the actions that make it so to the draft. */
    static PrimaryDecision decide(Facts f, Draft x) {
        List<ObservedNode> primaries = f.all.stream().filter(n -> n.state() == NodeState.PRIMARY).toList();
        if (primaries.size() > 1) {
            Optional<Stale> stale = stale(f, primaries);
            if (stale.isEmpty()) {
                return PrimaryDecision.refused(Checks.splitBrain(f, primaries));
            }
            stale.get().stale().forEach(s -> fenceStale(f, x, stale.get().current(), s));
            primaries = List.of(stale.get().current());
        }
        if (primaries.size() == 1) {
            ObservedNode p = primaries.get(0);
            if (!p.running() && f.confirmations.keepStopped().contains(p.name())) {
                // a crash loop: the daemon keeps it stopped, and a standby takes over (the former primary is seen
                // stopped, so nothing it acknowledged is at risk beyond what async replication risks anyway)
                x.warnings.add(p.name() + " crashed again and again; the daemon keeps it stopped and fails over. Find "
                        + "out why (its log: " + f.desired.node(p.name()).map(s -> io.pgrds.observe.NodePaths.of(s)
                        .serverLog()).orElse("the server log") + "), then let it rejoin.");
                x.settled.add(p.name()); // left as it is: the next plan rejoins it as a standby of the new primary
                return FailoverRules.failover(f, x);
            }
            return f.isDesired(p.name()) ? keepOrSwitchOver(f, x, p) : handOverFromRemoved(f, x, p);
        }
        boolean anyData = f.all.stream().anyMatch(n -> n.state() == NodeState.STANDBY
                || n.state() == NodeState.DEACTIVATED);
        return anyData ? FailoverRules.failover(f, x) : CreateRules.bootstrap(f, x);
    }

    /** The nodes that accept writes now: primary data, server running. Two of them are a danger, planned or not. */
    static List<String> dangers(Facts f) {
        List<ObservedNode> writable = f.all.stream().filter(n -> n.state() == NodeState.PRIMARY && n.running())
                .toList();
        if (writable.size() < 2) {
            return List.of();
        }
        String names = writable.stream().map(n -> n.name() + " (timeline " + n.timeline().map(String::valueOf)
                        .orElse("unknown") + ")")
                .collect(Collectors.joining(" and "));
        return List.of("DANGER: " + names + " both run as primary: clients may write to either, and what is "
                + "written to the stale one is not on the other");
    }

    // ------------------------------------------------------------------ two primaries

    /** The primary to keep and the stale ones beside it. */
    record Stale(ObservedNode current, List<ObservedNode> stale) {
    }

    /**
     * Of several nodes holding primary data, the one to keep, when the cluster's own records say beyond doubt:
     * <ol>
     *   <li>the markers name X (desired), and X was promoted after every other one (a higher timeline), or X is the
     *       only one running;</li>
     *   <li>or exactly one runs, X (desired), on a timeline above every stopped one (promoted, and the apply that
     *       promoted it was interrupted before the markers said so).</li>
     * </ol>
     * A pin on any of the others makes it a person's decision: empty (refused as split brain) — unless the markers
     * record the failover from that pinned node to X: after a failover the pin is a preference, the stale node
     * rejoins like any other, and switching back is a planned switchover a person applies.
     */
    static Optional<Stale> stale(Facts f, List<ObservedNode> primaries) {
        Optional<ObservedNode> named = f.markerPrimary.flatMap(m -> primaries.stream().filter(p -> p.name()
                .equals(m)).findFirst());
        if (named.isPresent() && f.isDesired(named.get().name())) {
            ObservedNode x = named.get();
            List<ObservedNode> others = others(primaries, x);
            if (!pinnedAmong(f, others, x) && (promotedAfterAll(x, others)
                    || x.running() && others.stream().noneMatch(ObservedNode::running))) {
                return Optional.of(new Stale(x, others));
            }
        }
        List<ObservedNode> running = primaries.stream().filter(ObservedNode::running).toList();
        if (running.size() == 1 && f.isDesired(running.get(0).name())) {
            ObservedNode x = running.get(0);
            List<ObservedNode> others = others(primaries, x);
            if (!pinnedAmong(f, others, x) && promotedAfterAll(x, others)) {
                return Optional.of(new Stale(x, others));
            }
        }
        return Optional.empty();
    }

    private static List<ObservedNode> others(List<ObservedNode> all, ObservedNode x) {
        return all.stream().filter(n -> !n.name().equals(x.name())).toList();
    }

    /** A pin on one of {@code nodes}, other than the node a recorded failover replaced by {@code x}. */
    private static boolean pinnedAmong(Facts f, List<ObservedNode> nodes, ObservedNode x) {
        return f.pin.filter(p -> nodes.stream().anyMatch(n -> n.name().equals(p)))
                .filter(p -> f.failoverMark.filter(m -> m.from().equals(p) && m.to().equals(x.name())).isEmpty())
                .isPresent();
    }

    private static boolean promotedAfterAll(ObservedNode x, List<ObservedNode> others) {
        return x.timeline().isPresent() && others.stream().allMatch(o -> o.timeline().isPresent()
                && o.timeline().get() < x.timeline().get());
    }

    /**
     * A stale old primary: fenced (stopped) first when it runs — that is allowed under every policy but observe,
     * since leaving it running is the danger — then it rejoins (in the file) or is deactivated (removed).
     */
    private static void fenceStale(Facts f, Draft x, ObservedNode current, ObservedNode stale) {
        String why = stale.name() + " holds primary data (" + Facts.where(stale) + ") while " + current.name()
                + " is the primary (" + Facts.where(current)
                + (f.markerPrimary.filter(current.name()::equals).isPresent() ? ", named by the markers" : "") + ")";
        if (stale.running()) {
            x.add(Group.FENCE_STALE_PRIMARY, new Action.Fence(stale.name(), Action.Fence.Method.STOP, Optional.empty(), why
                    + "; it must never accept writes beside " + current.name() + ", so it is stopped first",
                    Optional.of("clients still connected to " + stale.name() + " lose their connections; what they "
                            + "wrote there since " + current.name() + " took over stays only in its data directory")));
        }
        if (f.isDesired(stale.name())) {
            x.add(Group.STOP_STALE_PRIMARY, new Action.Rejoin(stale.name(), current.name(), why + "; it rejoins as a "
                    + "standby of " + current.name(), Optional.of("commits made on " + stale.name() + " after its "
                    + "history parted from " + current.name() + "'s are discarded by pg_rewind")));
        } else {
            x.add(Group.STOP_STALE_PRIMARY, new Action.Deactivate(stale.name(), why + ", and it was removed from the"
                    + " file; it is marked deactivated", Optional.of("data kept: commits made on " + stale.name()
                    + " after " + current.name() + " took over stay only in its data directory")));
        }
        x.fresh.add(stale.name());
        x.settled.add(stale.name());
    }

    // ------------------------------------------------------------------ one primary

    /** The primary is a desired node: keep it (start it if stopped), or switch over to the pinned node. */
    private static PrimaryDecision keepOrSwitchOver(Facts f, Draft x, ObservedNode p) {
        x.settled.add(p.name());
        Optional<ObservedNode> pinned = f.pin.filter(pin -> !pin.equals(p.name())).map(f::get);
        boolean pinnedCannotTakeOver = pinned.map(ObservedNode::state).filter(st -> st == NodeState.UNREACHABLE
                || st == NodeState.UNKNOWN || st == NodeState.FOREIGN || st == NodeState.NO_POSTGRES).isPresent();
        if (pinnedCannotTakeOver) {
            // a pinned node the checks let through unseen (the watch lost it): nothing can be handed to it now
            x.warnings.add("the file pins " + pinned.get().name() + ", which is " + pinned.get().state() + ": "
                    + p.name() + " stays the primary until " + pinned.get().name() + " can take over");
        }
        if (f.pin.isEmpty() || f.pin.get().equals(p.name()) || pinnedCannotTakeOver) {
            if (!p.running()) {
                x.addTold(Group.START_PRIMARY, new Action.StartNode(p.name(),
                        p.name() + " holds the primary data but PostgreSQL is not running",
                        Optional.of("clients can write again once it is up")));
                return new PrimaryDecision.Start(p.name(), "start " + p.name() + " as primary");
            }
            return new PrimaryDecision.Keep(p.name(), "keep " + p.name() + " primary");
        }
        ObservedNode q = f.get(f.pin.get());
        Optional<io.pgrds.observe.Marker.Failover> back = f.failoverMark.filter(m -> m.to().equals(p.name())
                && m.from().equals(q.name()));
        String why = "the file pins " + q.name() + " as primary; " + p.name() + " is the primary" + back.map(m ->
                " since the failover at " + m.at() + " (by " + m.by() + "). After a failover the pin is a preference:"
                + " switching back is a switchover a person applies (pgrds apply); the daemon never switches back by "
                + "itself. To keep " + p.name() + ", pin it in the file").orElse(" now");
        if (back.isPresent() && f.confirmations.daemon() && p.running()) {
            // the daemon keeps the failover's primary: the switch back is a person's call, and holding a switchover
            // would hold every action planned after it (parameters, new nodes, backups) until then
            x.warnings.add(p.name() + " has been the primary since the failover at " + back.get().at() + " (by "
                    + back.get().by() + "); the file pins " + q.name() + ". Switching back is a person's call: pgrds "
                    + "apply plans it, or pin " + p.name() + " in the file.");
            return new PrimaryDecision.Keep(p.name(), "keep " + p.name() + " primary (since the failover; the file "
                    + "pins " + q.name() + ")");
        }
        if (!p.running() && q.state() == NodeState.STANDBY && caughtUp(p, q)) {
            x.settled.add(q.name());
            x.addTold(Group.HANDOVER, new Action.Switchover(p.name(), q.name(), why + "; " + p.name() + " was "
                    + "shut down cleanly and " + q.name() + " has replayed all of its WAL (" + q.name() + " at "
                    + q.position().orElseThrow() + ", " + p.name() + "'s last checkpoint at "
                    + p.checkpoint().orElseThrow() + "), so the switchover completes", Optional.of(
                    "writes resume once " + q.name() + " is promoted; no committed transaction is lost")));
            return new PrimaryDecision.Switchover(p.name(), q.name(), "complete switchover " + p.name() + " → "
                    + q.name() + " (" + p.name() + " stopped cleanly, " + q.name() + " caught up)");
        }
        boolean rejoining = x.fresh.contains(q.name()); // a stale old primary this plan rejoins already
        Optional<Refusal> notReady = prepareTarget(f, x, p, q);
        if (notReady.isPresent()) {
            return PrimaryDecision.refused(notReady.get());
        }
        x.addTold(Group.HANDOVER, new Action.Switchover(p.name(), q.name(), why, Optional.of(switchoverRisk(p, q)),
                back.isPresent()));
        return new PrimaryDecision.Switchover(p.name(), q.name(), (p.running() ? "" : "start " + p.name() + ", ")
                + (q.state() == NodeState.STANDBY || rejoining ? "" : prepareVerb(q) + " " + q.name() + " and ")
                + "switchover " + p.name() + " → " + q.name() + " (pinned)");
    }

    /**
     * True when a stopped primary was shut down cleanly (it wrote nothing after its shutdown checkpoint) and the
     * standby has replayed past that checkpoint: the standby holds every commit, and may be promoted.
     */
    static boolean caughtUp(ObservedNode p, ObservedNode q) {
        if (p.running() || !p.shutDownCleanly() || p.checkpoint().isEmpty() || !q.running() || q.sql().isEmpty()) {
            return false;
        }
        Optional<Lsn> replayed = q.sql().get().replayLsn();
        return replayed.isPresent() && p.timeline().equals(q.timeline())
                && replayed.get().compareTo(p.checkpoint().get()) > 0;
    }

    /**
     * Makes {@code q} able to take over from {@code p}: a stopped {@code p} is started first (it must run for
     * {@code q} to catch up), an empty node is cloned, a deactivated one rejoins, a standby must already be set to
     * stream from {@code p} (and, with {@code p} running, stream and be close behind). Returns why not, if not.
     */
    private static Optional<Refusal> prepareTarget(Facts f, Draft x, ObservedNode p, ObservedNode q) {
        x.settled.add(q.name());
        if (!p.running()) {
            x.addTold(Group.START_PRIMARY, new Action.StartNode(p.name(), p.name() + " holds the primary data but is "
                    + "stopped" + (p.shutDownCleanly() ? "" : " (not cleanly: it crashed or was killed)") + "; it "
                    + "must run so that " + q.name() + " receives all of it before taking over",
                    Optional.of("clients can write to " + p.name() + " again until the switchover")));
        }
        if (q.state() == NodeState.STANDBY) {
            return notReady(f, p, q).map(why -> Checks.notReady(f, p, q, why));
        }
        if (x.fresh.contains(q.name())) {
            return Optional.empty(); // rejoins p already (a stale old primary): apply waits for it to stream
        }
        x.cloneSources.add(p.name());
        if (q.state() == NodeState.EMPTY) {
            x.addTold(Group.PREPARE_TARGET, new Action.CloneStandby(q.name(), p.name(), q.name()
                    + " is pinned as primary and its data directory is empty: it is cloned from " + p.name()
                    + " first", Optional.of("reads " + p.name() + "'s whole data directory (pg_basebackup)")));
        } else {
            x.addTold(Group.PREPARE_TARGET, new Action.Rejoin(q.name(), p.name(), q.name()
                    + " is pinned as primary but was deactivated: it rejoins as a standby of " + p.name()
                    + " first", Optional.of(rejoinRisk(q))));
        }
        x.fresh.add(q.name());
        return Optional.empty();
    }

    private static String prepareVerb(ObservedNode q) {
        return q.state() == NodeState.EMPTY ? "clone" : "rejoin";
    }

    /**
     * Why {@code q} cannot take over from {@code p} without loss, if it cannot. A stopped {@code p} is started by
     * the plan first: then only {@code q}'s configuration can be checked now, and apply waits for it to stream.
     */
    private static Optional<String> notReady(Facts f, ObservedNode p, ObservedNode q) {
        Optional<String> up = f.upstreamNode(q);
        if (up.isEmpty() || !up.get().equals(p.name())) {
            return Optional.of(q.name() + " streams from " + f.upstreamText(q).orElse("no upstream") + ", not from "
                    + p.name());
        }
        if (!p.running()) {
            return Optional.empty();
        }
        if (!q.running()) {
            return Optional.of(q.name() + " is stopped");
        }
        Optional<String> status = q.sql().flatMap(SqlFacts::walReceiverStatus);
        if (q.sql().isEmpty()) {
            return Optional.of("pgrds could not read " + q.name() + "'s replication status"
                    + q.error().map(e -> " (" + e + ")").orElse(""));
        }
        if (!status.filter("streaming"::equals).isPresent()) {
            return Optional.of(q.name() + " is not streaming from " + p.name() + " (WAL receiver: "
                    + status.orElse("not running") + ")");
        }
        Optional<Long> lag = lag(p, q);
        if (lag.isEmpty()) {
            return Optional.of("pgrds could not tell how far " + q.name() + " is behind " + p.name());
        }
        if (lag.get() > SWITCHOVER_MAX_LAG_BYTES) {
            return Optional.of(q.name() + " is " + Facts.bytes(lag.get()) + " behind " + p.name() + " (the limit is "
                    + Facts.bytes(SWITCHOVER_MAX_LAG_BYTES) + ")");
        }
        return Optional.empty();
    }

    /** Bytes {@code q} has yet to replay from {@code p}: the primary's view first, else the two positions. */
    private static Optional<Long> lag(ObservedNode p, ObservedNode q) {
        Optional<Long> peer = p.sql().stream().flatMap(s -> s.replication().stream())
                .filter(r -> r.applicationName().equals(q.name())).map(ReplicationPeer::lagBytes).findFirst();
        if (peer.isPresent()) {
            return peer;
        }
        if (p.position().isPresent() && q.position().isPresent()) {
            return Optional.of(Math.max(0, p.position().get().minus(q.position().get())));
        }
        return Optional.empty();
    }

    private static String switchoverRisk(ObservedNode p, ObservedNode q) {
        return "writes pause for a few hundred milliseconds while " + p.name() + " stops and " + q.name()
                + " is promoted; no committed transaction is lost; open connections to " + p.name() + " are dropped";
    }

    /** The rejoin of a deactivated node: only a node that ran as a primary after it left has commits to lose. */
    static String rejoinRisk(ObservedNode n) {
        return "commits made on " + n.name() + " after it left the cluster are discarded by pg_rewind (none, unless "
                + "it ran as a primary)";
    }

    /**
     * The only primary was removed from the file and is reachable: hand over to a desired node without losing a
     * commit, then deactivate it. When it was shut down cleanly and a standby has replayed all of it, that standby
     * is promoted at once; otherwise it is started (if stopped) and a switchover hands over.
     */
    private static PrimaryDecision handOverFromRemoved(Facts f, Draft x, ObservedNode p) {
        x.settled.add(p.name());
        List<ObservedNode> standbys = desiredIn(f, NodeState.STANDBY);
        ObservedNode q = f.pin.map(f::get)
                .or(() -> standbys.stream().findFirst())
                .or(() -> firstInFile(f, NodeState.DEACTIVATED))
                .or(() -> firstInFile(f, NodeState.EMPTY))
                .orElseThrow();
        String removed = p.name() + " is the primary but was removed from the file";
        if (q.state() == NodeState.STANDBY && caughtUp(p, q)) {
            Optional<Refusal> behind = pinnedBehind(f, q, standbys);
            if (behind.isPresent()) {
                return PrimaryDecision.refused(behind.get());
            }
            x.settled.add(q.name());
            x.addTold(Group.DEACTIVATE_BEFORE_PROMOTE, new Action.Deactivate(p.name(), removed + "; it is marked "
                    + "deactivated before " + q.name() + " is promoted", Optional.of("data kept")));
            x.addTold(Group.HANDOVER, new Action.Promote(q.name(), Optional.of(p.name()),
                    Action.Promote.Fencing.SEEN_STOPPED, removed + "; " + p.name() + " was shut down cleanly and "
                    + q.name() + " has replayed all of its WAL", Optional.of("no committed transaction is lost; "
                    + "writes resume once " + q.name() + " is promoted")));
            return new PrimaryDecision.Promote(q.name(), "promote " + q.name() + " (" + p.name() + " removed from "
                    + "the file, shut down cleanly and replayed by " + q.name() + ", deactivated first)");
        }
        boolean rejoining = x.fresh.contains(q.name()); // a stale old primary this plan rejoins already
        Optional<Refusal> notReady = prepareTarget(f, x, p, q);
        if (notReady.isPresent()) {
            return PrimaryDecision.refused(notReady.get());
        }
        x.addTold(Group.HANDOVER, new Action.Switchover(p.name(), q.name(), removed + "; " + q.name()
                + (f.pin.isPresent() ? " is pinned as primary" : " takes over") + " without losing a commit",
                Optional.of(switchoverRisk(p, q))));
        x.addTold(Group.DEACTIVATE_OLD_PRIMARY, new Action.Deactivate(p.name(), p.name()
                + " was removed from the file; it is stopped once " + q.name() + " took over",
                Optional.of("data kept")));
        return new PrimaryDecision.Switchover(p.name(), q.name(), (p.running() ? "" : "start " + p.name() + ", ")
                + (q.state() == NodeState.STANDBY ? "" : prepareVerb(q) + " " + q.name() + " and ")
                + "switchover " + p.name() + " → " + q.name() + (f.pin.isPresent() ? " (pinned)" : "")
                + ", then deactivate " + p.name() + " (removed from the file)");
    }

    /** A refusal when a standby other than the pinned one has WAL the pinned one may lack. */
    static Optional<Refusal> pinnedBehind(Facts f, ObservedNode pinned, List<ObservedNode> standbys) {
        return standbys.stream().filter(o -> !o.name().equals(pinned.name()) && Facts.ahead(o, pinned)).findFirst()
                .map(other -> Checks.pinnedBehind(f, pinned, other));
    }

    /** The primary before this plan: what the markers name, else what most standbys stream from. */
    static Optional<String> formerPrimary(Facts f) {
        if (f.markerPrimary.isPresent()) {
            return f.markerPrimary;
        }
        Map<String, Integer> votes = new TreeMap<>();
        for (ObservedNode n : f.all) {
            if (n.state() == NodeState.STANDBY) {
                f.upstreamText(n).ifPresent(u -> votes.merge(u, 1, Integer::sum));
            }
        }
        return votes.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder()))).map(Map.Entry::getKey);
    }

    static List<ObservedNode> desiredIn(Facts f, NodeState state) {
        return f.desiredNodes.stream().map(n -> f.get(n.name())).filter(n -> n.state() == state)
                .sorted(Facts.MOST_ADVANCED).toList();
    }

    private static Optional<ObservedNode> firstInFile(Facts f, NodeState state) {
        return f.desiredNodes.stream().map(n -> f.get(n.name())).filter(n -> n.state() == state).findFirst();
    }
}
