package io.pgrds.error;

/**
 * Stable error codes, each with its own exit status. The names and the numbers are part of the CLI contract
 * (docs/cli.md, "Exit status"): scripts may match on them. 0 is success and 2 is reserved for {@code plan
 * --detailed-exitcode} (changes present); 1 is an apply the operator cancelled.
 */
public enum ErrorCode {
    /** The planner refused to plan (unsafe or incomplete observation); nothing was changed there. */
    PLAN_REFUSED(3),
    /** The plan no longer matches the servers (a saved plan, or the plan made again under the lock). */
    PLAN_STALE(4),
    /** Applying an action failed; the actions before it are done. */
    APPLY_FAILED(5),
    /** The fleet repository has invalid files; the message lists every problem. */
    INVALID_DESIRED_STATE(6),
    /** The git repository or ref could not be read. */
    SOURCE_UNAVAILABLE(7),
    /** A cluster named on the command line does not exist in the fleet. */
    UNKNOWN_CLUSTER(8),
    /** A node a command needs could not be reached, or a command could not be run on it. */
    UNREACHABLE(9),
    /** A local file could not be read or written. */
    IO(10),
    /** A command-line argument is wrong (sysexits' EX_USAGE). */
    USAGE(64),
    /** A bug: something pgrds did not expect (sysexits' EX_SOFTWARE). */
    INTERNAL(70);

    private final int exitCode;

    ErrorCode(int exitCode) {
        this.exitCode = exitCode;
    }

    /** Exit status of the CLI for this error. */
    public int exitCode() {
        return exitCode;
    }
}
