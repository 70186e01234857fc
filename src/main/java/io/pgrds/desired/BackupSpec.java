package io.pgrds.desired;

import java.util.Optional;
import java.util.SortedMap;

/**
 * Scheduled backups of a cluster.
 *
 * @param repository the repository {@code backup.repository} names, resolved against {@code repositories:}
 * @param retention  pgBackRest retention by backup type ({@code full}, {@code diff}): how many to keep
 */
public record BackupSpec(Repository repository, Optional<String> schedule, SortedMap<String, Integer> retention) {
    /** The pgBackRest stanza of a cluster: its slug, {@code team-stage}. */
    public static String stanza(ClusterId cluster) {
        return cluster.slug();
    }
}
