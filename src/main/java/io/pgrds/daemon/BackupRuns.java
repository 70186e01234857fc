package io.pgrds.daemon;

import io.pgrds.desired.BackupType;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What this daemon did with the scheduled backups of one type of a cluster: the last one it took, and the ones it
 * skipped. A skipped run is not a backup: it leaves {@code last} (and the age an alert watches) as it was.
 *
 * @param last        the last backup taken (or tried and failed)
 * @param lastSkipped the last run that took no backup, and why
 * @param skipped     how many runs were skipped, by cause (every cause, 0 when none)
 */
public record BackupRuns(Optional<LastBackup> last, Optional<Skipped> lastSkipped, SortedMap<Cause, Long> skipped) {
    public BackupRuns {
        TreeMap<Cause, Long> all = new TreeMap<>();
        for (Cause c : Cause.values()) {
            all.put(c, skipped.getOrDefault(c, 0L));
        }
        skipped = Collections.unmodifiableSortedMap(all);
    }

    /** Why a scheduled backup was not taken. */
    public enum Cause {
        /** A bigger type of the same cluster was due within the same minute and was taken instead. */
        BIGGER_TYPE,
        /** A backup of the cluster was still running (this daemon's, or pgBackRest's lock held by another). */
        ALREADY_RUNNING;

        /** The name in /status and /metrics: {@code already_running}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A scheduled run that took no backup. */
    public record Skipped(BackupType type, Instant at, Cause cause, String reason) {
    }

    static BackupRuns none() {
        return new BackupRuns(Optional.empty(), Optional.empty(), new TreeMap<>());
    }

    BackupRuns with(LastBackup backup) {
        return new BackupRuns(Optional.of(backup), lastSkipped, skipped);
    }

    BackupRuns with(Skipped skip) {
        Map<Cause, Long> counts = new EnumMap<>(Cause.class);
        counts.putAll(skipped);
        counts.merge(skip.cause(), 1L, Long::sum);
        return new BackupRuns(last, Optional.of(skip), new TreeMap<>(counts));
    }
}
