package io.pgrds.desired;

import java.util.Optional;
import java.util.SortedMap;

/**
 * Scheduled backups of a cluster.
 *
 * @param repository the repository {@code backup.repository} names, resolved against {@code repositories:}
 * @param retention  pgBackRest retention by backup type ({@code full}, {@code diff}): how many to keep
 * @param fromStandby take backups from a streaming standby (pgBackRest's backup-standby) so the primary only
 *                    starts and stops them; from the primary when no standby streams
 */
public record BackupSpec(Repository repository, Optional<String> schedule, SortedMap<String, Integer> retention,
                         boolean fromStandby) {
    /** The pgBackRest stanza of a cluster: its slug, {@code team-stage}. */
    public static String stanza(ClusterId cluster) {
        return cluster.slug();
    }
}
