package io.pgrds.plan;

import java.util.List;
import java.util.Optional;

/** Where a backup of a cluster is taken, as {@link BackupRules} decides it from an observation. */
public sealed interface BackupChoice {
    /**
     * Take the backup on {@code node}.
     *
     * @param standbyOf when {@code node} is a standby (backup.fromStandby): the primary that starts and stops the
     *                  backup while the files come from the standby
     * @param note      why the choice differs from what the file asks, when it does (no standby streams)
     */
    record Take(String node, Optional<String> standbyOf, Optional<String> note) implements BackupChoice {
    }

    /** No backup: every reason, each with the next step. */
    record Refused(List<Refusal> refusals) implements BackupChoice {
        public Refused {
            refusals = List.copyOf(refusals);
        }
    }
}
