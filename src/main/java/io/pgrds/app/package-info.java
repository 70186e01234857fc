/**
 * The application layer: the few things a person or the daemon asks of pgrds, each assembled once from the loop's
 * parts (observe → plan → lock → apply). {@code cli} and {@code daemon} call only these; they parse, render and
 * schedule, and never reach a node themselves.
 *
 * <ul>
 *   <li>{@link io.pgrds.app.PlanService}: observe clusters and plan them, fresh or from a saved plan.</li>
 *   <li>{@link io.pgrds.app.ApplyService}: apply a plan, cluster by cluster, with the recheck under the lock.</li>
 *   <li>{@link io.pgrds.app.BackupService}: take a backup from the node a plan chooses, list backups, run a restore
 *       drill.</li>
 *   <li>{@link io.pgrds.app.ClusterAdmin}: a cluster's admin credentials and its apply history.</li>
 * </ul>
 */
package io.pgrds.app;
