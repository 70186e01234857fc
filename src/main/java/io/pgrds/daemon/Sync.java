package io.pgrds.daemon;

/** A cluster's sync status, as Argo CD names it. */
public enum Sync {
    /** The servers match the commit: nothing planned, or everything planned was applied. */
    SYNCED,
    /** The plan has actions the daemon did not apply (policy, or a stop between actions). */
    OUT_OF_SYNC,
    /** The planner refused the cluster: nothing is changed until the cause is gone. */
    REFUSED,
    /** The run failed: the repository, the file, an observation or an action. */
    ERROR,
    /** No run finished yet. */
    UNKNOWN;

    /** The name shown in /status and /metrics, as Argo CD writes it: {@code OUT_OF_SYNC} is {@code OutOfSync}. */
    public String label() {
        StringBuilder out = new StringBuilder();
        for (String word : name().split("_")) {
            out.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return out.toString();
    }
}
