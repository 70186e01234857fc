package io.pgrds.desired;

/** What the daemon may do on its own. */
public enum ReconcilePolicy {
    /** Report drift only. */
    OBSERVE,
    /** Apply only actions that neither move the primary nor restart nor deactivate nor restore. */
    SAFE,
    /** Apply everything. */
    FULL
}
