package io.pgrds.plan;

import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
import io.pgrds.plan.Draft.Group;
import java.util.Optional;
import java.util.TreeSet;

/** Every other node in the file becomes a streaming standby; nodes removed from the file are deactivated. */
final class MembershipRules {
    private MembershipRules() {
    }

    /** Every other desired node becomes a streaming standby of the primary. */
    static void otherMembers(Facts f, Draft x, String primary) {
        ObservedNode p = f.get(primary);
        for (String name : new TreeSet<>(f.desiredNames)) {
            if (x.settled.contains(name)) {
                continue;
            }
            ObservedNode n = f.get(name);
            switch (n.state()) {
                case EMPTY -> {
                    x.add(Group.CLONE, new Action.CloneStandby(name, primary, name + " is in the file and its data "
                            + "directory is empty", Optional.of("reads " + primary + "'s whole data directory "
                            + "(pg_basebackup)")));
                    x.fresh.add(name);
                }
                case DEACTIVATED -> {
                    x.add(Group.FOLLOW, new Action.Rejoin(name, primary, name + " was deactivated and is back in the"
                            + " file: it rejoins as a standby of " + primary + " (pg_rewind when its timeline "
                            + "diverged)", Optional.of(PrimaryRules.rejoinRisk(n))));
                    x.fresh.add(name);
                }
                case STANDBY -> follow(f, x, p, n);
                default -> throw new IllegalStateException(name + " is " + n.state() + " after the checks");
            }
        }
    }

    static void follow(Facts f, Draft x, ObservedNode p, ObservedNode n) {
        boolean promotedNow = x.primaryChanges;
        if (!promotedNow && n.timeline().isPresent() && p.timeline().isPresent()
                && n.timeline().get() > p.timeline().get()) {
            x.add(Group.FOLLOW, new Action.Rejoin(n.name(), p.name(), n.name() + " is on timeline "
                    + n.timeline().get() + ", ahead of the primary " + p.name() + " (timeline " + p.timeline().get()
                    + "): its history diverged", Optional.of("commits made on " + n.name() + " after its timeline "
                    + "diverged are discarded by pg_rewind")));
            x.fresh.add(n.name());
            return;
        }
        Optional<String> up = f.upstreamNode(n);
        if (up.isEmpty() || !up.get().equals(p.name())) {
            x.add(Group.FOLLOW, new Action.Repoint(n.name(), f.upstreamText(n), p.name(), n.name() + " streams from "
                    + f.upstreamText(n).orElse("no upstream") + " but the primary "
                    + (x.primaryChanges ? "will be " : "is ") + p.name() + (n.running() ? "" : "; it is started"),
                    Optional.of(n.name() + " restarts: connections to it are dropped")));
            return;
        }
        if (!n.running()) {
            x.add(Group.FOLLOW, new Action.StartNode(n.name(), n.name() + " is a standby of " + p.name()
                    + " but PostgreSQL is not running", Optional.empty()));
            return;
        }
        if (!promotedNow && p.running() && n.sql().isPresent()
                && !n.sql().get().walReceiverStatus().filter("streaming"::equals).isPresent()) {
            x.warnings.add(n.name() + " is a standby of " + p.name() + " but is not streaming (WAL receiver: "
                    + n.sql().get().walReceiverStatus().orElse("not running") + "); check its log: if "
                    + p.name() + " no longer has the WAL it needs, move its data directory aside to have it "
                    + "cloned again");
        }
    }

    /** Nodes that the markers list but the file no longer does: deactivated (data kept), never deleted. */
    static void formerMembers(Facts f, Draft x) {
        for (ObservedNode n : f.former) {
            if (x.settled.contains(n.name())) {
                continue;
            }
            switch (n.state()) {
                case PRIMARY, STANDBY -> x.add(Group.DEACTIVATE_REMOVED, new Action.Deactivate(n.name(), n.name()
                        + " was removed from the file", Optional.of("data kept; " + n.name() + " stops serving "
                        + "reads")));
                case UNREACHABLE, UNKNOWN -> x.warnings.add("Cannot deactivate " + n.name() + " now: "
                        + (n.state() == NodeState.UNREACHABLE ? "unreachable" : "its state is unknown")
                        + n.error().map(e -> " (" + e + ")").orElse("") + "; the next apply will");
                case FOREIGN -> x.warnings.add(n.name() + " was removed from the file and now holds another "
                        + "cluster's data; pgrds leaves it alone");
                case DEACTIVATED, EMPTY, NO_POSTGRES -> {
                    // nothing runs and nothing is kept there
                }
                default -> throw new IllegalStateException(n.state().name());
            }
        }
    }
}
