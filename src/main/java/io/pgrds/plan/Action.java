package io.pgrds.plan;

import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import java.util.List;
import java.util.Optional;

/**
 * One step of a plan: plain data. The executor carries it out (each action checks its own precondition, so a
 * run stopped half-way is finished by the next plan); renderers show it. {@link #reason()} and {@link #risk()}
 * are for the reader only: no code decides anything from them.
 */
public sealed interface Action permits Action.OnNode, Action.Switchover, Action.ChangeParameters,
        Action.ChangeHba, Action.ConfigureBackup, Action.RegisterEndpoint {

    ActionKind kind();

    /** Why the planner chose this action. */
    String reason();

    /** What can go wrong or what the user will notice (dropped connections, pause in writes, lost commits). */
    Optional<String> risk();

    /** One line, e.g. {@code clone standby pg2 from pg1} (the lines are all in {@link Descriptions}). */
    default String describe() {
        return accept(Descriptions.LINE);
    }

    /** The nodes this action touches, in the order it touches them. */
    List<String> nodes();

    /**
     * What this action does, without the prose: two plans whose actions have equal identities do the same. Apply
     * compares the plan it approved with the one it makes again under the lock by these.
     */
    default String identity() {
        return describe();
    }

    /** Dispatch by type, without casts: a new kind of action fails to compile until every visitor handles it. */
    <R> R accept(Visitor<R> visitor);

    /** One method per kind of action. */
    interface Visitor<R> {
        R initPrimary(InitPrimary action);

        R restorePrimary(RestorePrimary action);

        R cloneStandby(CloneStandby action);

        R startNode(StartNode action);

        R fence(Fence action);

        R promote(Promote action);

        R switchover(Switchover action);

        R rejoin(Rejoin action);

        R repoint(Repoint action);

        R deactivate(Deactivate action);

        R changeParameters(ChangeParameters action);

        R changeHba(ChangeHba action);

        R ensureRoles(EnsureRoles action);

        R configureBackup(ConfigureBackup action);

        R registerEndpoint(RegisterEndpoint action);

        R atBoot(AtBoot action);
    }

    /** How many lines of the plan summary this action accounts for (one per parameter for parameter changes). */
    default int weight() {
        return 1;
    }

    /** An action on one node: the node it touches is {@link #node()}. */
    sealed interface OnNode extends Action permits InitPrimary, RestorePrimary, CloneStandby, StartNode, Fence,
            Promote, Rejoin, Repoint, Deactivate, EnsureRoles, AtBoot {
        String node();

        @Override
        default List<String> nodes() {
            return List.of(node());
        }
    }

    /** initdb on an empty node, start it, create the roles admin, replicator and pgrds, write the config files. */
    record InitPrimary(String node, String reason, Optional<String> risk) implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.initPrimary(this);
        }

        public ActionKind kind() {
            return ActionKind.INIT_PRIMARY;
        }
    }

    /**
     * Restore another cluster's backup into an empty node, recover to the target, promote.
     *
     * @param backup       the label of the backup restored (pgBackRest's {@code --set}), chosen by the planner from
     *                     what the node read of the source's repository; empty in plans saved before it was
     * @param archivedUpTo for a restore to latest, the newest WAL segment the source's archive held when planned:
     *                     recovery that ends before it stopped at a gap; empty for a point in time
     */
    record RestorePrimary(String node, ClusterId from, Bootstrap.RecoveryTarget target, Optional<String> backup,
                          Optional<String> archivedUpTo, String reason, Optional<String> risk) implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.restorePrimary(this);
        }

        public ActionKind kind() {
            return ActionKind.RESTORE_PRIMARY;
        }

        /** The backup it starts from is not part of it: a newer one taken since does not change what was approved. */
        @Override
        public String identity() {
            return "restore primary " + node + " from " + from + " (" + target + ")";
        }
    }

    /** pg_basebackup into an empty node from {@code from}, then start it as a standby of {@code from}. */
    record CloneStandby(String node, String from, String reason, Optional<String> risk) implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.cloneStandby(this);
        }

        public ActionKind kind() {
            return ActionKind.CLONE_STANDBY;
        }
    }

    /** Start a node of the cluster whose data was found stopped. */
    record StartNode(String node, String reason, Optional<String> risk) implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.startNode(this);
        }

        public ActionKind kind() {
            return ActionKind.START_NODE;
        }
    }

    /**
     * Make sure a node that may accept writes cannot: stop its server over SSH ({@link Method#STOP}, a stale old
     * primary), or run the cluster's fence hook for a former primary pgrds cannot reach ({@link Method#HOOK}, before
     * a promotion). The data directory is kept either way.
     */
    record Fence(String node, Method method, Optional<String> hook, String reason, Optional<String> risk)
            implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.fence(this);
        }

        /** How the node is fenced. */
        public enum Method {
            /** {@code pg_ctl stop} on the node (it is reachable). */
            STOP,
            /** The cluster's {@code fence.hook}, run where pgrds runs, must exit 0. */
            HOOK
        }

        public ActionKind kind() {
            return ActionKind.FENCE;
        }
    }

    /**
     * Failover: promote a standby because no primary is left to hand over cleanly.
     *
     * @param fencing how the former primary is known not to accept writes any more; apply checks it again right
     *                before it promotes
     */
    record Promote(String node, Optional<String> formerPrimary, Fencing fencing, String reason,
                   Optional<String> risk) implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.promote(this);
        }

        /** How a promotion knows that the former primary cannot accept writes. */
        public enum Fencing {
            /** pgrds sees it stopped (or empty), or no former primary is known; apply looks again. */
            SEEN_STOPPED,
            /** The cluster's fence hook runs before the promotion (a {@link Fence} action of this plan). */
            HOOK,
            /** The operator confirmed it is fenced ({@code --fenced NODE}). */
            OPERATOR,
            /**
             * Durability is a quorum of K among N standbys and N−K+1 of them were detached: the former primary can
             * acknowledge no commit any more, and every one it acknowledged is on the standby promoted.
             */
            QUORUM
        }

        public ActionKind kind() {
            return ActionKind.PROMOTE;
        }

        @Override
        public String identity() {
            return describe() + " fencing " + fencing;
        }
    }

    /**
     * Planned handover without loss: stop {@code from} cleanly, wait until {@code to} replayed everything,
     * promote {@code to}, rejoin {@code from} as its standby.
     */
    /**
     * A planned switchover. {@code switchBack}: back to the pinned node after a failover moved the primary away
     * from it; the pin is then a preference, so the daemon never does it by itself (no flapping), a person does.
     */
    record Switchover(String from, String to, String reason, Optional<String> risk, boolean switchBack)
            implements Action {
        public Switchover(String from, String to, String reason, Optional<String> risk) {
            this(from, to, reason, risk, false);
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.switchover(this);
        }

        public ActionKind kind() {
            return ActionKind.SWITCHOVER;
        }

        public List<String> nodes() {
            return List.of(from, to);
        }
    }

    /** Make a node with data a standby of {@code newPrimary} again (pg_rewind first when its timeline diverged). */
    record Rejoin(String node, String newPrimary, String reason, Optional<String> risk) implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.rejoin(this);
        }

        public ActionKind kind() {
            return ActionKind.REJOIN;
        }
    }

    /** Point a standby at another upstream (rewrite primary_conninfo, restart it). */
    record Repoint(String node, Optional<String> from, String to, String reason, Optional<String> risk)
            implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.repoint(this);
        }

        public ActionKind kind() {
            return ActionKind.REPOINT;
        }
    }

    /** Stop a node, disable it, mark it deactivated; its data directory is kept. */
    record Deactivate(String node, String reason, Optional<String> risk) implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.deactivate(this);
        }

        public ActionKind kind() {
            return ActionKind.DEACTIVATE;
        }
    }

    /** Rewrite pgrds's configuration file on {@code nodes} (standbys first), then reload or restart each. */
    record ChangeParameters(List<ParameterChange> changes, List<String> nodes, String reason, Optional<String> risk)
            implements Action {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.changeParameters(this);
        }

        public ChangeParameters {
            changes = List.copyOf(changes);
            nodes = List.copyOf(nodes);
        }

        public ActionKind kind() {
            return ActionKind.CHANGE_PARAMETERS;
        }

        public boolean restart() {
            return changes.stream().anyMatch(ParameterChange::restart);
        }

        @Override
        public String identity() {
            return describe() + changes.stream().map(c -> " " + c.name() + "=" + c.newValue().orElse("(default)"))
                    .reduce("", String::concat);
        }

        @Override
        public int weight() {
            return changes.size();
        }
    }

    /** Rewrite pg_hba.conf on {@code nodes}, then reload each. */
    record ChangeHba(List<String> nodes, String reason, Optional<String> risk) implements Action {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.changeHba(this);
        }

        public ChangeHba {
            nodes = List.copyOf(nodes);
        }

        public ActionKind kind() {
            return ActionKind.CHANGE_HBA;
        }
    }

    /** Create the roles pgrds needs that the primary lacks (existing roles and passwords are left alone). */
    record EnsureRoles(String node, List<String> roles, String reason, Optional<String> risk) implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.ensureRoles(this);
        }

        public EnsureRoles {
            roles = List.copyOf(roles);
        }

        public ActionKind kind() {
            return ActionKind.ENSURE_ROLES;
        }
    }

    /**
     * Write the pgBackRest configuration on {@code nodes}, then create the cluster's stanza in the repository and
     * check that the primary's WAL reaches it ({@code stanza-create} and {@code check} are idempotent).
     *
     * @param trusted the nodes whose postgres users trust each other's SSH keys for backups from a standby (the
     *                whole cluster); empty: the stanza's keys are removed from {@code nodes}
     */
    record ConfigureBackup(String stanza, String repository, String primary, List<String> nodes,
                           List<String> trusted, String reason, Optional<String> risk) implements Action {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.configureBackup(this);
        }

        public ConfigureBackup {
            nodes = List.copyOf(nodes);
            trusted = List.copyOf(trusted);
        }

        public ActionKind kind() {
            return ActionKind.CONFIGURE_BACKUP;
        }
    }

    /**
     * Where systemd runs the node: enable its unit, so that a reboot starts the server (a member found running that is
     * not enabled, e.g. started by pg_ctl before pgrds used systemd), or disable it (a deactivated node found enabled).
     * The server itself is not touched.
     *
     * @param unit the node's instance of {@code pgrds@.service}
     */
    record AtBoot(String node, String unit, boolean enable, String reason, Optional<String> risk) implements OnNode {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.atBoot(this);
        }

        public ActionKind kind() {
            return enable ? ActionKind.ENABLE_AT_BOOT : ActionKind.DISABLE_AT_BOOT;
        }
    }

    /** Point the service name at the primary (through the service hook). */
    record RegisterEndpoint(String service, String primary, String reason, Optional<String> risk)
            implements Action {
        public <R> R accept(Visitor<R> visitor) {
            return visitor.registerEndpoint(this);
        }

        public ActionKind kind() {
            return ActionKind.REGISTER_ENDPOINT;
        }

        public List<String> nodes() {
            return List.of(primary);
        }
    }
}
