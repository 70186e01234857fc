package io.pgrds.desired;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Scheduled backups of a cluster.
 *
 * @param repository the repository {@code backup.repository} names, resolved against {@code repositories:}
 * @param schedule   when the daemon takes each type of backup: a Quartz cron expression (seconds first, UTC) per
 *                   type, biggest type first; {@code schedule: "…"} in the file is a full backup's. Empty: none.
 *                   Only valid expressions are here (the loader reports the others).
 * @param retention  pgBackRest retention by backup type ({@code full}, {@code diff}): how many to keep
 * @param fromStandby take backups from a streaming standby (pgBackRest's backup-standby) so the primary only
 *                    starts and stops them; from the primary when no standby streams
 */
public record BackupSpec(Repository repository, SortedMap<BackupType, String> schedule,
                         SortedMap<String, Integer> retention, boolean fromStandby) {
    public BackupSpec {
        schedule = Collections.unmodifiableSortedMap(new TreeMap<>(schedule));
    }

    /** The pgBackRest stanza of a cluster: its slug, {@code team-stage}. */
    public static String stanza(ClusterId cluster) {
        return cluster.slug();
    }
}
