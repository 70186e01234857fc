package io.pgrds.daemon;

/** A cluster's sync status, as Argo CD names it. */
public enum Sync {
    /** The servers match the commit: nothing planned, or everything planned was applied. */
    SYNCED("Synced"),
    /** The plan has actions the daemon did not apply (policy, or a stop between actions). */
    OUT_OF_SYNC("OutOfSync"),
    /** The planner refused the cluster: nothing is changed until the cause is gone. */
    REFUSED("Refused"),
    /** The run failed: the repository, the file, an observation or an action. */
    ERROR("Error"),
    /** No run finished yet. */
    UNKNOWN("Unknown");

    private final String label;

    Sync(String label) {
        this.label = label;
    }

    /** The name shown in /status and /metrics ({@code OutOfSync}). */
    public String label() {
        return label;
    }
}
