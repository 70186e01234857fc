package io.pgrds.daemon;

import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.plan.Action;
import io.pgrds.plan.ClusterPlan;
import java.util.List;

/**
 * What the daemon may apply on its own, per cluster {@code reconcile.policy}. Pure: no I/O.
 *
 * <ul>
 *   <li>{@code observe}: nothing; drift is reported only.</li>
 *   <li>{@code full}: every action of the plan.</li>
 *   <li>{@code safe}: only actions that neither move the primary nor restart a server that must keep serving,
 *       nor deactivate a node, nor create or restore a primary:
 *       <ul>
 *         <li>allowed: {@code clone_standby} (new data directory on an empty node, read-only on the primary),
 *             {@code start_node} (starts a stopped node), {@code repoint} (restarts only a standby that follows
 *             the wrong upstream, the primary is untouched), {@code change_hba} (reload),
 *             {@code ensure_roles} (creates missing roles, leaves existing ones), {@code change_parameters}
 *             when no parameter needs a restart (reload), {@code configure_backup} (writes the pgBackRest
 *             configuration, creates the stanza and checks archiving; no restart), {@code register_endpoint}
 *             (runs the hook for the primary as it is), {@code enable_at_boot} and {@code disable_at_boot}
 *             (whether systemd starts a node's server after a reboot; the server is not touched).</li>
 *         <li>allowed too: {@code fence} by stopping a stale old primary's server (leaving it running beside
 *             the primary is the danger, not the cure).</li>
 *         <li>held back: {@code fence} by the fence hook (it comes with a promotion), {@code init_primary} and {@code restore_primary} (a new primary is made by a person
 *             with {@code pgrds apply}), {@code promote} and {@code switchover} (move the primary),
 *             {@code rejoin} (rewinds or re-clones a former primary, discarding its divergent WAL),
 *             {@code deactivate} (stops a node), {@code change_parameters} with a restart.</li>
 *       </ul></li>
 * </ul>
 *
 * <p>The plan's order matters: later actions may assume earlier ones happened (the endpoint is registered for
 * the primary a switchover made; roles are created on a promoted node). So the daemon applies only the
 * <b>allowed prefix</b> of a plan: every action before the first one the policy holds back. That action and
 * everything after it are held back and reported, even those the policy would allow on their own.
 */
public final class Policy {
    private Policy() {
    }

    /** Whether {@code policy} lets the daemon apply {@code action} by itself. */
    public static boolean allowed(ReconcilePolicy policy, Action action) {
        return switch (policy) {
            case OBSERVE -> false;
            // after a failover the pin is a preference: switching back is a person's call, never a daemon's flap
            case FULL -> !(action instanceof Action.Switchover s && s.switchBack());
            case SAFE -> switch (action.kind()) {
                case CLONE_STANDBY, START_NODE, REPOINT, CHANGE_HBA, ENSURE_ROLES, CONFIGURE_BACKUP,
                        REGISTER_ENDPOINT, ENABLE_AT_BOOT, DISABLE_AT_BOOT -> true;
                case CHANGE_PARAMETERS -> !((Action.ChangeParameters) action).restart();
                // stopping a stale old primary is what keeps two primaries from accepting writes: never held back;
                // a fence hook (powering a machine off) comes with a promotion, which is held back
                case FENCE -> ((Action.Fence) action).method() == Action.Fence.Method.STOP;
                case INIT_PRIMARY, RESTORE_PRIMARY, PROMOTE, SWITCHOVER, REJOIN, DEACTIVATE -> false;
            };
        };
    }

    /**
     * Whether a regular run leaves the whole plan to the watch: the cluster is watched (failover automatic, through the
     * job store) and the plan would start its primary's stopped server. Starting it again, or not (a crash loop), or
     * failing over is the watch's call within failoverAfter; a regular run that started it as well would hide a crash
     * loop.
     */
    public static boolean leftToTheWatch(boolean watched, ObservedCluster observed, ClusterPlan plan) {
        return watched && plan.actions().stream().anyMatch(a -> a instanceof Action.StartNode s
                && observed.node(s.node()).filter(n -> n.state() == NodeState.PRIMARY).isPresent());
    }

    /**
     * A plan cut in two by the prefix rule.
     *
     * @param apply    the actions before the first one the policy holds back, in plan order
     * @param held     that action and every one after it, in plan order
     */
    public record Split(List<Action> apply, List<Action> held) {
        public Split {
            apply = List.copyOf(apply);
            held = List.copyOf(held);
        }
    }

    /** Cuts a plan at its first action the policy does not allow; a refused plan has nothing to apply. */
    public static Split split(ReconcilePolicy policy, ClusterPlan plan) {
        List<Action> actions = plan.actions();
        int cut = 0;
        while (cut < actions.size() && allowed(policy, actions.get(cut))) {
            cut++;
        }
        return new Split(actions.subList(0, cut), actions.subList(cut, actions.size()));
    }
}
