package io.pgrds.apply;

import io.pgrds.desired.ClusterId;
import java.util.List;
import java.util.Optional;

/**
 * What one cluster's apply did, as a value: the actions done, the one that failed and why (the actions after it were
 * not begun), whether a standby was promoted in place of a lost primary, whether it stopped between two actions
 * because it was asked to (the daemon stopping), and the audit record written for it.
 */
public record ApplyOutcome(ClusterId cluster, List<String> applied, Optional<String> failedAt,
                           Optional<String> failure, boolean promoted, boolean stopped, Audit audit) {
    public ApplyOutcome {
        applied = List.copyOf(applied);
    }

    public boolean ok() {
        return failure.isEmpty();
    }

    /** The failure as the CLI reports it: what failed, why, and what to do. */
    public String message() {
        return cluster + ": " + failedAt.orElse("?") + ": " + failure.orElse("") + ". The actions before it are done; "
                + "run pgrds plan to see what is left, fix the cause, then apply again.";
    }
}
