package io.pgrds.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** The plan of one cluster while the planner's steps add to it; local to one {@link Planner#plan} call. */
final class Draft {
    /**
     * Apply order. Deviations from DESIGN.md's short list, both for feasibility: pg_hba.conf is rewritten
     * before anything is cloned (a new standby can only connect once the primary's hba lists it), and missing
     * roles are created before any clone (pg_basebackup needs the replicator role).
     */
    enum Group {
        FENCE_STALE_PRIMARY, STOP_STALE_PRIMARY, DEACTIVATE_REMOVED, CREATE_PRIMARY, START_PRIMARY, HBA,
        ROLES_ON_CURRENT_PRIMARY, PREPARE_TARGET, FENCE_FORMER_PRIMARY, DEACTIVATE_BEFORE_PROMOTE, HANDOVER,
        DEACTIVATE_OLD_PRIMARY, ROLES_ON_NEW_PRIMARY, PARAMETERS, CLONE, FOLLOW, BACKUP, ENDPOINT, AT_BOOT
    }

    record Step(Group group, Action action) {
        String node() {
            List<String> nodes = action.nodes();
            return action.kind() == ActionKind.CHANGE_PARAMETERS || action.kind() == ActionKind.CHANGE_HBA
                    || action.kind() == ActionKind.CONFIGURE_BACKUP || nodes.isEmpty() ? "" : nodes.get(0);
        }
    }

    private static final Comparator<Step> ORDER = Comparator.comparing(Step::group)
            .thenComparing(Step::node)
            .thenComparing(s -> s.action().kind());

    private final List<Step> steps = new ArrayList<>();
    private final Set<Action> inHeadline = Collections.newSetFromMap(new IdentityHashMap<>());
    final List<String> warnings = new ArrayList<>();
    /** Conditions that are dangerous now, whatever the plan does (two nodes accepting writes). */
    final List<String> dangers = new ArrayList<>();
    /** Nodes whose data and configuration this plan creates or rewrites whole (no drift to compute). */
    final Set<String> fresh = new HashSet<>();
    /** Nodes that serve a clone or rejoin before the handover (their hba must admit the new node). */
    final Set<String> cloneSources = new HashSet<>();
    /** Nodes whose fate the primary decision already settled. */
    final Set<String> settled = new HashSet<>();
    /** The first half of the decision sentence: what happens to the primary. */
    String headline = "";
    /** True when this plan creates, promotes or switches the primary. */
    boolean primaryChanges;

    void add(Group group, Action action) {
        steps.add(new Step(group, action));
    }

    /** Adds an action that the headline already tells about. */
    void addTold(Group group, Action action) {
        add(group, action);
        inHeadline.add(action);
    }

    boolean toldInHeadline(Action a) {
        return inHeadline.contains(a);
    }

    List<Action> actions() {
        return steps.stream().sorted(ORDER).map(Step::action).toList();
    }
}
