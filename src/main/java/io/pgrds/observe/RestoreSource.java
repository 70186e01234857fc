package io.pgrds.observe;

import io.pgrds.desired.ClusterId;
import java.util.Optional;

/**
 * What the node a restore would go into read of the source's backups, while it held no data: the catalog of the
 * source's stanza in its repository, or why it could not be read. The planner chooses the backup from it, so the
 * plan names the backup that apply restores.
 */
public record RestoreSource(ClusterId from, String node, Optional<BackupCatalog> catalog, Optional<String> error) {
}
