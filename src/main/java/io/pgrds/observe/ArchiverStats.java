package io.pgrds.observe;

import java.util.Optional;

/**
 * A node's {@code pg_stat_archiver} and the server's own clock when it was read. Times are milliseconds since the
 * epoch, all from the server's clock, so that they can be compared with each other without this machine's clock.
 *
 * @param archivedCount         segments archived since the statistics were reset
 * @param lastArchivedWal       the segment archived last
 * @param lastArchivedEpochMillis when it was archived
 * @param failedCount           failed attempts since the statistics were reset
 * @param lastFailedWal         the segment of the last failed attempt
 * @param lastFailedEpochMillis when that attempt failed
 * @param observedEpochMillis   the server's {@code now()} when the statistics were read
 */
public record ArchiverStats(long archivedCount, Optional<String> lastArchivedWal,
                            Optional<Long> lastArchivedEpochMillis, long failedCount, Optional<String> lastFailedWal,
                            Optional<Long> lastFailedEpochMillis, long observedEpochMillis) {

    /** True when the latest attempt failed: a failure and no success since. */
    public boolean lastAttemptFailed() {
        return lastFailedEpochMillis.isPresent()
                && (lastArchivedEpochMillis.isEmpty() || lastFailedEpochMillis.get() > lastArchivedEpochMillis.get());
    }
}
