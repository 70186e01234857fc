package io.pgrds.error;

/** Stable error codes. The names are part of the CLI contract: scripts may match on them. */
public enum ErrorCode {
    /** The fleet repository has invalid files; the message lists every problem. */
    INVALID_DESIRED_STATE,
    /** The git repository or ref could not be read. */
    SOURCE_UNAVAILABLE,
    /** A cluster named on the command line does not exist in the fleet. */
    UNKNOWN_CLUSTER,
    /** A command-line argument is wrong. */
    USAGE,
    /** The planner refused to plan (unsafe or incomplete observation). */
    PLAN_REFUSED,
    /** A saved plan no longer matches the servers. */
    PLAN_STALE,
    /** Applying an action failed. */
    APPLY_FAILED,
    /** A local file could not be read or written. */
    IO,
    /** A bug: something pgrds did not expect. */
    INTERNAL;

    /** Exit status of the CLI for this error. 2 is reserved for "plan has changes". */
    public int exitCode() {
        return 1;
    }
}
