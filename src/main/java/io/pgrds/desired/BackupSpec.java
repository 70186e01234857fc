package io.pgrds.desired;

import java.util.Optional;
import java.util.SortedMap;

/** Scheduled backups of a cluster. */
public record BackupSpec(String repository, Optional<String> schedule, SortedMap<String, Integer> retention) {
}
