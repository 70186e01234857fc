package io.pgrds.apply;

import io.pgrds.observe.BackupCatalog;
import java.time.Duration;
import java.util.Optional;

/** The outcome of a backup: where it was taken, its type, the backup as pgBackRest lists it, how long it took. */
public record BackupResult(String node, String type, Optional<BackupCatalog.Backup> backup, Duration took,
                           boolean fromStandby) {
}
