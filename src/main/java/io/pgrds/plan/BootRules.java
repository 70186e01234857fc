package io.pgrds.plan;

import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.Systemd;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where systemd runs a node: how its server is started and stopped (its {@code pgrds@.service} instance, enabled at
 * each start and disabled at each stop), whether the unit template is there at all, and which units must be enabled
 * or disabled although nothing else is done to their node. Pure.
 */
public final class BootRules {
    private BootRules() {
    }

    /**
     * The unit pgrds starts and stops a node through: where systemd runs it, the template is installed and the file
     * leaves {@code postgres.systemd} on. Empty: pg_ctl.
     */
    static Optional<Systemd> unit(Facts f, ObservedNode n) {
        return unit(f.desired.postgres(), n);
    }

    /** The same rule for apply, which starts and stops each node as the plan said (one rule, not two copies). */
    public static Optional<Systemd> unit(io.pgrds.desired.PostgresSettings postgres, ObservedNode n) {
        return postgres.systemd() ? n.systemd().filter(Systemd::installed) : Optional.empty();
    }

    /** Desired nodes systemd runs without the unit template: refused, the role installs it. */
    static List<Refusal> refusals(Facts f) {
        List<Refusal> out = new ArrayList<>();
        if (!f.desired.postgres().systemd()) {
            return out;
        }
        for (NodeSpec spec : f.desiredNodes) {
            f.node(spec.name()).flatMap(ObservedNode::systemd).filter(s -> !s.installed()).ifPresent(s ->
                    out.add(Refusal.of(RefusalCode.SYSTEMD_UNIT_MISSING, f.id, spec.name(), "Unable to plan " + f.id
                            + " as systemd runs " + spec.name() + " but the unit template " + Systemd.TEMPLATE
                            + " is not installed there (" + s.unit() + " is " + s.loadState() + "); pgrds starts "
                            + "PostgreSQL through it and enables it, so that a reboot brings the server back.",
                            "Run the pgrds_node Ansible role on " + spec.host() + " (ansible-playbook ansible/site.yml "
                                    + "--limit " + spec.host() + "; it installs /etc/systemd/system/"
                                    + Systemd.TEMPLATE + "), then re-run. To keep pg_ctl instead, set "
                                    + "postgres.systemd: false in the cluster file (see docs/nodes-systemd.md).")));
        }
        return out;
    }

    /**
     * Units to enable or disable on nodes no other action touches (those enable at their start, disable at their
     * stop): a member found running whose unit is not enabled (started by pg_ctl before pgrds used systemd, or
     * enabled away by hand) is enabled, so that a reboot brings it back; a deactivated node found enabled is
     * disabled, so that a reboot never starts it.
     */
    static void atBoot(Facts f, Draft x) {
        Set<String> touched = x.actions().stream().filter(BootRules::startsOrStops).flatMap(a -> a.nodes().stream())
                .collect(Collectors.toSet());
        for (ObservedNode n : f.all) {
            Optional<Systemd> unit = unit(f, n);
            if (unit.isEmpty() || touched.contains(n.name())) {
                continue;
            }
            Systemd s = unit.get();
            boolean member = f.isDesired(n.name()) && n.running()
                    && (n.state() == NodeState.PRIMARY || n.state() == NodeState.STANDBY);
            if (member && !s.enabled()) {
                x.add(Draft.Group.AT_BOOT, new Action.AtBoot(n.name(), s.unit(), true, n.name() + " runs as a " + n.state().name()
                        .toLowerCase(java.util.Locale.ROOT) + " but systemd would not start it after a reboot "
                        + "(its unit is not enabled)", Optional.empty()));
            } else if (n.state() == NodeState.DEACTIVATED && s.enabled()) {
                x.add(Draft.Group.AT_BOOT, new Action.AtBoot(n.name(), s.unit(), false, n.name() + " is deactivated but its unit is "
                        + "enabled: a reboot would start its server again", Optional.empty()));
            }
        }
    }

    /**
     * Whether an action may start or stop a server (and so enable or disable its unit): creating, starting, fencing
     * by a stop, deactivating, handing over, rejoining, a restart for parameters, a promotion or repoint of a stopped
     * node, and enabling or disabling itself. Configuration, roles, backup and the endpoint leave servers running.
     */
    static boolean startsOrStops(Action a) {
        return switch (a.kind()) {
            case INIT_PRIMARY, RESTORE_PRIMARY, CLONE_STANDBY, START_NODE, PROMOTE, SWITCHOVER, REJOIN, REPOINT,
                    DEACTIVATE, ENABLE_AT_BOOT, DISABLE_AT_BOOT -> true;
            case FENCE -> ((Action.Fence) a).method() == Action.Fence.Method.STOP;
            case CHANGE_PARAMETERS -> ((Action.ChangeParameters) a).restart();
            case CHANGE_HBA, ENSURE_ROLES, CONFIGURE_BACKUP, REGISTER_ENDPOINT -> false;
        };
    }

    /** How apply starts and stops each node an action may start or stop ({@link ClusterPlan#startStop()}). */
    static SortedMap<String, String> startStop(Facts f, List<Action> actions) {
        SortedMap<String, String> out = new TreeMap<>();
        // a promotion also disables its former primary's unit when it can reach it
        actions.stream().filter(BootRules::startsOrStops).flatMap(a -> a instanceof Action.Promote p
                        ? java.util.stream.Stream.concat(a.nodes().stream(), p.formerPrimary().stream())
                        : a.nodes().stream()).distinct()
                .forEach(name -> f.node(name)
                .filter(n -> n.state() != NodeState.UNREACHABLE && n.state() != NodeState.UNKNOWN)
                .ifPresent(n -> out.put(name, unit(f, n).map(s -> ClusterPlan.SYSTEMD + s.unit() + (s.enabled()
                        ? " (enabled)" : "")).orElse(ClusterPlan.PG_CTL))));
        return out;
    }
}
