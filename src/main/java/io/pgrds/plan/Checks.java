package io.pgrds.plan;

import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
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
            switch (n.state()) {
                case UNREACHABLE -> {
                    boolean isPrimary = f.pin.map(name::equals)
                            .orElse(f.markerPrimary.filter(name::equals).isPresent());
                    if (isPrimary) {
                        out.add(Refusal.of(RefusalCode.DESIRED_PRIMARY_UNREACHABLE, f.id, name, "Unable to plan "
                                + f.id + " as its primary " + name + " is unreachable" + error + ".",
                                "Bring " + name + " back and re-run, or fail over: fence " + name + " (power off "
                                        + "or firewall), remove it from `nodes`"
                                        + (f.pin.isPresent() ? " and pin another primary (or remove the pin)"
                                        : "") + ", and re-run; pgrds then promotes "
                                        + (f.pin.isPresent() ? "the pinned node" : "the most advanced standby")
                                        + "."));
                    } else {
                        out.add(Refusal.of(RefusalCode.NODE_UNREACHABLE, f.id, name, "Unable to plan " + f.id
                                + " as " + name + " is unreachable" + error + "; " + SPLIT + ".", "Bring "
                                + name + " back (check SSH to " + spec.ssh().user() + "@" + spec.host() + ":"
                                + spec.ssh().port() + ") and re-run, or remove it from `nodes` if it is gone for "
                                + "good."));
                    }
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
        return out;
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
