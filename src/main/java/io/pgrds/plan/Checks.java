package io.pgrds.plan;

import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReachFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The refusals: every reason not to touch a cluster, each with a stable code, a message and the next step. */
final class Checks {
    private static final String SPLIT = "pgrds changes nothing while it cannot see every node, to avoid any "
            + "possibility of split brain";

    private Checks() {
    }

    /** Refusals that follow from single nodes' states and from data that does not belong together. */
    static List<Refusal> refusals(Facts f) {
        List<Refusal> out = new ArrayList<>();
        int version = f.desired.postgres().version();
        for (NodeSpec spec : f.desiredNodes) {
            String name = spec.name();
            Optional<ObservedNode> on = f.node(name);
            if (on.isEmpty()) {
                out.add(Refusal.of(RefusalCode.NODE_UNKNOWN, f.id, name, "Unable to plan " + f.id + " as " + name
                        + " was not observed; " + SPLIT + ".", "Re-run; if " + name + " stays missing, run with "
                        + "--debug and report it."));
                continue;
            }
            ObservedNode n = on.get();
            String error = n.error().map(e -> " (" + e + ")").orElse("");
            if (f.isLost(name) && (n.state() == NodeState.UNREACHABLE || n.state() == NodeState.UNKNOWN)) {
                continue; // the primary the watching daemon lost: what to do about it is the failover rules' call
            }
            switch (n.state()) {
                case UNREACHABLE -> {
                    boolean isPrimary = f.pin.map(name::equals)
                            .orElse(f.markerPrimary.filter(name::equals).isPresent());
                    out.add(unreachable(f, n, spec, isPrimary));
                }
                case UNKNOWN -> out.add(Refusal.of(RefusalCode.NODE_UNKNOWN, f.id, name, "Unable to plan " + f.id
                        + " as the state of " + name + " is unknown" + error + "; " + SPLIT + ".", "Check "
                        + spec.dataDirectory() + " and the PostgreSQL log on " + spec.host() + ", then re-run "
                        + "(--debug shows the probe's output)."));
                case NO_POSTGRES -> out.add(Refusal.of(RefusalCode.NO_POSTGRES, f.id, name, "Unable to plan " + f.id
                        + " as PostgreSQL " + version + " is not installed on " + name + " (no binaries in "
                        + spec.binDir() + ")" + error + ".", "Install PostgreSQL " + version + " on " + spec.host()
                        + " (for example with the ansible role install_binary, or apt-get install postgresql-"
                        + version + "), then re-run."));
                case FOREIGN -> out.add(Refusal.of(RefusalCode.FOREIGN_DATA, f.id, name, "Unable to plan " + f.id
                        + " as " + name + " holds another cluster's data in " + spec.dataDirectory() + error
                        + "; pgrds never overwrites data.", "Find out whose data it is; move it aside (or give "
                        + name + " another data_directory), then re-run."));
                case PRIMARY, STANDBY, DEACTIVATED -> {
                    if (n.version().isPresent() && n.version().get() != version) {
                        out.add(Refusal.of(RefusalCode.VERSION_MISMATCH, f.id, name, "Unable to plan " + f.id
                                + " as " + name + " holds PostgreSQL " + n.version().get() + " data but the file "
                                + "asks for PostgreSQL " + version + "; pgrds does not upgrade major versions.",
                                "Set postgres.version back to " + n.version().get() + ", or upgrade the cluster "
                                        + "with pg_upgrade first, then re-run."));
                    }
                }
                case EMPTY -> {
                    // a new node: cloned or initialised
                }
                default -> throw new IllegalStateException(n.state().name());
            }
        }
        out.addAll(systemIdentifiers(f));
        out.addAll(BootRules.refusals(f));
        return out;
    }

    /**
     * The refusal for a desired node that SSH could not reach, with advice that fits where the cause lies: a problem
     * on this machine is fixed here and says nothing about the node; a node that answered is up; only a node that did
     * not answer may be down, and only then is a failover (fenced first) the next step.
     */
    private static Refusal unreachable(Facts f, ObservedNode n, NodeSpec spec, boolean isPrimary) {
        String name = n.name();
        String error = n.error().map(e -> " (" + e + ")").orElse("");
        String ssh = spec.ssh().user() + "@" + spec.host() + ":" + spec.ssh().port();
        RefusalCode code = isPrimary ? RefusalCode.DESIRED_PRIMARY_UNREACHABLE : RefusalCode.NODE_UNREACHABLE;
        String what = isPrimary ? "its primary " + name : name;
        ReachFailure cause = n.reachFailure().orElse(ReachFailure.SILENT);
        switch (cause) {
            case LOCAL -> {
                return Refusal.of(code, f.id, name, "Unable to plan " + f.id + " as pgrds cannot connect to " + what
                        + " because of a problem on this machine" + error + "; " + SPLIT + ".", "Fix it here as the "
                        + "message says, then re-run. This says nothing about " + name + " itself: do not fence it or "
                        + "remove it from the file because of it.");
            }
            case JUMP -> {
                return Refusal.of(code, f.id, name, "Unable to plan " + f.id + " as pgrds cannot get past a jump host"
                        + " on the way to " + what + error + "; " + SPLIT + ".", "Bring the jump host back (or fix "
                        + "ssh.jump, or ProxyJump in the SSH configuration) and re-run. This says nothing about "
                        + name + " itself: do not fence it or remove it from the file because of it.");
            }
            case AUTHENTICATION -> {
                return Refusal.of(code, f.id, name, "Unable to plan " + f.id + " as " + what + " refuses pgrds's SSH "
                        + "key" + error + "; " + SPLIT + ".", "Fix the key (ssh.identityFile on this machine, or "
                        + spec.ssh().user() + "'s authorized_keys on " + spec.host() + "), then re-run. " + name
                        + " answered, so it is up" + (isPrimary ? ": a failover is not the answer." : "."));
            }
            case REFUSED -> {
                return Refusal.of(code, f.id, name, "Unable to plan " + f.id + " as nothing listens on the SSH port of "
                        + what + error + "; its machine answers, so PostgreSQL may well still run there; " + SPLIT
                        + ".", "Start sshd on " + spec.host() + " (or open port " + spec.ssh().port() + " in its "
                        + "firewall) and re-run" + (isPrimary ? ". Fail over only if it must go: " + failoverSteps(f,
                        name) : "."));
            }
            default -> {
                if (isPrimary) {
                    return Refusal.of(code, f.id, name, "Unable to plan " + f.id + " as its primary " + name
                            + " is unreachable" + error + ".", "Bring " + name + " back (check SSH to " + ssh
                            + ") and re-run. If it is gone for good, fail over: " + failoverSteps(f, name));
                }
                return Refusal.of(code, f.id, name, "Unable to plan " + f.id + " as " + name + " is unreachable"
                        + error + "; " + SPLIT + ".", "Bring " + name + " back (check SSH to " + ssh + ") and "
                        + "re-run, or remove it from `nodes` if it is gone for good.");
            }
        }
    }

    /** How to fail over from a primary that is gone: make sure it is down, fence it, then let pgrds promote. */
    private static String failoverSteps(Facts f, String node) {
        return howToCheckDown(f, node, Optional.empty()) + " Then fence " + node + " (power it off, or cut it off "
                + "from clients and standbys), remove it from `nodes`" + (f.pin.isPresent() ? " and pin another "
                + "primary (or remove the pin)" : "") + ", and apply with --fenced " + node + " (or give the cluster a "
                + "fence hook, fence: {hook: …}, which pgrds runs first); pgrds then promotes "
                + (f.pin.isPresent() ? "the pinned node" : "the most advanced standby") + ".";
    }

    /** How an operator checks that a node is really down: from another machine, and from a standby's side. */
    static String howToCheckDown(Facts f, String node, Optional<String> standby) {
        String host = f.host(node).orElse(node);
        String pg = f.port(node).map(p -> " -p " + p).orElse("");
        String via = standby.orElseGet(() -> f.desiredNames.stream().filter(n -> !n.equals(node))
                .filter(n -> f.node(n).filter(o -> o.state() == NodeState.STANDBY).isPresent()).findFirst()
                .orElse(null));
        return "To check that " + node + " is really down: from a machine other than this one, `ssh " + host
                + " true` and `pg_isready -h " + host + pg + "` must both fail" + (via == null ? "" : "; on " + via
                + ", `select status, sender_host, last_msg_receipt_time from pg_stat_wal_receiver` must not show it "
                + "streaming from " + node + " or a message from it in the last minute") + ".";
    }

    /**
     * A former primary that pgrds cannot reach for a reason that shows it is up, or says nothing about it (the cause
     * lies on this machine): no failover from it. Empty when it may be down (no answer, a lost connection).
     */
    static Optional<Refusal> notDownButUnreachable(Facts f, ObservedNode former, String candidate) {
        if (former.state() != NodeState.UNREACHABLE || former.reachFailure().filter(ReachFailure::local).isEmpty()) {
            return Optional.empty();
        }
        String error = former.error().map(e -> " (" + e + ")").orElse("");
        return Optional.of(Refusal.of(RefusalCode.NODE_UNREACHABLE, f.id, former.name(), "Unable to promote "
                + candidate + " in " + f.id + " as pgrds cannot connect to the former primary " + former.name()
                + (former.reachFailure().filter(r -> r == ReachFailure.JUMP).isPresent() ? " because a jump host on "
                + "the way failed" : " because of a problem on this machine") + error + ": that says nothing about "
                + former.name()
                + ", which may well still accept writes.", "Fix it here as the message says and re-run; pgrds then "
                + "sees whether " + former.name() + " runs. Do not fence it because of this."));
    }

    /** A failover whose former primary is neither seen stopped nor fenced. */
    static Refusal notFenced(Facts f, String former, Optional<ObservedNode> seen, ObservedNode candidate) {
        String state = seen.isEmpty() ? "not a node pgrds can check (the markers do not list it)"
                : seen.get().state() == NodeState.UNREACHABLE ? "unreachable" + seen.get().error().map(e -> " ("
                + e + ")").orElse("") : "in an unknown state" + seen.get().error().map(e -> " (" + e + ")")
                .orElse("");
        boolean answered = seen.flatMap(ObservedNode::reachFailure).filter(ReachFailure::machineAnswered)
                .isPresent();
        return Refusal.of(RefusalCode.FORMER_PRIMARY_NOT_FENCED, f.id, former, "Unable to promote " + candidate.name()
                + " in " + f.id + " as the former primary " + former + " is " + state + (answered ? "; its machine "
                + "answers, so it is up" : "") + ", and pgrds cannot see it stopped: if it still runs, clients "
                + "writing to it would lose those commits and two primaries would accept writes.",
                howToCheckDown(f, former, Optional.of(candidate.name())) + " Then fence " + former + " (power it "
                        + "off, or cut it off from clients and standbys) and apply with --fenced " + former + "; or "
                        + "give the cluster a fence hook (fence: {hook: …}) that pgrds runs before promoting.");
    }

    /** A standby still hears from a node pgrds cannot see stopped: that node is alive, nothing is promoted. */
    static Refusal stillReceiving(Facts f, ObservedNode standby, String sender, boolean streaming,
                                  Optional<Long> ageMillis, boolean operatorSaidFenced) {
        String heard = (streaming ? "streams from " + sender : "received WAL from " + sender)
                + ageMillis.map(a -> " (last message " + (a < 1000 ? a + " ms" : a / 1000 + " s") + " ago)")
                .orElse("");
        return Refusal.of(RefusalCode.FORMER_PRIMARY_ALIVE, f.id, sender, "Unable to promote a standby in " + f.id
                + " as " + standby.name() + " " + heard + ": " + sender + " is alive as a primary"
                + (operatorSaidFenced ? ", although --fenced says it is fenced" : " although pgrds cannot reach or "
                + "see it") + "; promoting now would make two primaries accept writes.", "If " + sender + " must "
                + "go, stop it or fence it for real (power off, or cut it off from clients and standbys), wait until "
                + standby.name() + " no longer hears from it, then re-run. If pgrds alone cannot reach it, fix "
                + "that instead: " + sender + " is the primary.");
    }

    /** Data of more than one cluster among the nodes: refuse for every node outside the largest group. */
    private static List<Refusal> systemIdentifiers(Facts f) {
        Map<String, List<String>> bySysid = new TreeMap<>();
        for (ObservedNode n : f.all) {
            boolean data = n.state() == NodeState.PRIMARY || n.state() == NodeState.STANDBY
                    || n.state() == NodeState.DEACTIVATED;
            if (data && n.systemIdentifier().isPresent()) {
                bySysid.computeIfAbsent(n.systemIdentifier().get(), k -> new ArrayList<>()).add(n.name());
            }
        }
        if (bySysid.size() < 2) {
            return List.of();
        }
        Optional<String> markerSysid = f.all.stream()
                .flatMap(n -> n.marker().flatMap(m -> m.systemIdentifier()).stream()).findFirst();
        String main = bySysid.entrySet().stream()
                .max(java.util.Comparator.<Map.Entry<String, List<String>>>comparingInt(e -> e.getValue().size())
                        .thenComparing(e -> markerSysid.filter(e.getKey()::equals).isPresent())
                        .thenComparing(Map.Entry::getKey, java.util.Comparator.reverseOrder()))
                .orElseThrow().getKey();
        List<Refusal> out = new ArrayList<>();
        bySysid.forEach((sysid, names) -> {
            if (!sysid.equals(main)) {
                for (String name : names) {
                    out.add(Refusal.of(RefusalCode.FOREIGN_DATA, f.id, name, "Unable to plan " + f.id + " as "
                            + name + " holds data of system identifier " + sysid + " while "
                            + String.join(", ", bySysid.get(main)) + " hold " + main + ": the nodes hold different"
                            + " clusters' data.", "Find out which data is " + f.id + "'s; move the other data "
                            + "directory aside (pgrds never deletes data), then re-run."));
                }
            }
        });
        return out;
    }

    static Refusal splitBrain(Facts f, List<ObservedNode> primaries) {
        String names = primaries.stream().map(ObservedNode::name).collect(Collectors.joining(" and "));
        String where = primaries.stream().map(n -> n.name() + " " + Facts.where(n)).collect(Collectors.joining(
                ", "));
        return Refusal.of(RefusalCode.SPLIT_BRAIN, f.id, null, "Unable to plan " + f.id + " as " + names
                + (primaries.size() == 2 ? " both" : " all") + " hold primary data (" + where + ")" + f.markerPrimary.map(m -> "; the markers name " + m)
                .orElse("") + "; pgrds cannot tell which one has the commits to keep.", "Decide which one keeps its "
                + "commits; stop the other(s) and move their data directory aside (pgrds then sees them empty and "
                + "clones them again), then re-run.");
    }

    static Refusal notReady(Facts f, ObservedNode p, ObservedNode q, String why) {
        return Refusal.of(RefusalCode.SWITCHOVER_TARGET_NOT_READY, f.id, q.name(), "Unable to hand " + f.id
                + "'s primary over from " + p.name() + " to " + q.name() + " without losing commits, as " + why
                + ".", "Wait until " + q.name() + " streams from " + p.name() + " and catches up (pgrds status "
                + "shows it), then re-run" + (f.isDesired(p.name()) ? "; or pin " + p.name() + " again" : "")
                + ".");
    }

    static Refusal pinnedBehind(Facts f, ObservedNode pinned, ObservedNode other) {
        return Refusal.of(RefusalCode.PINNED_PRIMARY_BEHIND, f.id, pinned.name(), "Unable to promote the pinned "
                + pinned.name() + " in " + f.id + " as " + other.name() + " may have newer commits ("
                + other.name() + " " + Facts.where(other) + ", " + pinned.name() + " " + Facts.where(pinned)
                + "); promoting " + pinned.name() + " would discard them.", "Pin " + other.name() + " (or remove "
                + "the pin to promote the most advanced standby), and move the pin once " + pinned.name()
                + " streams from it" + (pinned.position().isEmpty() || other.position().isEmpty()
                ? "; or start the stopped standbys so that their positions are known." : "."));
    }

    static Refusal noCandidate(Facts f) {
        List<String> holders = new ArrayList<>();
        for (ObservedNode n : f.all) {
            if (n.state() == NodeState.DEACTIVATED || n.state() == NodeState.STANDBY) {
                holders.add(n.name() + (f.isDesired(n.name()) ? " (" + n.state() + ")"
                        : " (removed from the file)"));
            }
        }
        return Refusal.of(RefusalCode.NO_CANDIDATE, f.id, null, "Unable to plan " + f.id + " as its data is only on"
                + " nodes that cannot become primary: " + String.join(", ", holders) + "; pgrds never promotes a "
                + "deactivated node nor one removed from the file, since their data may be old.", "Add a standby "
                + "that holds the data back to `nodes`, or create the cluster anew from backups with "
                + "bootstrap.restore.");
    }

    static Refusal formerMayHoldData(Facts f, ObservedNode n) {
        return Refusal.of(RefusalCode.NODE_UNREACHABLE, f.id, n.name(), "Unable to plan " + f.id + " as "
                + n.name() + " (a former member, removed from the file) is "
                + (n.state() == NodeState.UNREACHABLE ? "unreachable" : "in an unknown state")
                + n.error().map(e -> " (" + e + ")").orElse("") + " and may hold the cluster's data, while every "
                + "node in the file is empty; pgrds does not create a new database beside it.", "Bring "
                + n.name() + " back and re-run (pgrds then sees its data), or if its data is gone for good, "
                + "remove its marker by hand and re-run.");
    }
}
