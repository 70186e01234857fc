package io.pgrds.apply;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.plan.ClusterPlan;

/**
 * How apply looks again once it holds the cluster's lock: observe the cluster anew, and plan from that observation
 * exactly as the approved plan was made (the CLI: the planner with the operator's confirmations; the daemon: the
 * same, cut by the cluster's policy). Apply goes on only when the new plan does what the approved one does.
 */
public interface Recheck {
    ObservedCluster observe(DesiredCluster desired);

    ClusterPlan plan(DesiredCluster desired, ObservedCluster observed);
}
