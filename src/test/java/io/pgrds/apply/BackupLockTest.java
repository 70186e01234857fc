package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.transport.NodeShell;
import org.junit.jupiter.api.Test;

/** pgBackRest's exit 50 means another backup holds the stanza's lock only when it says so. */
class BackupLockTest {
    @Test
    void aLockHeldByAnotherPgBackRestProcessIsABackupAlreadyRunning() {
        assertTrue(Backups.lockHeld(new NodeShell.ExecResult(50, "", "ERROR: [050]: unable to acquire lock on file "
                + "'/tmp/pgbackrest/x-backup.lock': Resource temporarily unavailable\n       HINT: is another "
                + "pgBackRest process running?\n")));
    }

    @Test
    void aLockFileItMayNotOpenIsAFailure() {
        assertFalse(Backups.lockHeld(new NodeShell.ExecResult(50, "", "ERROR: [050]: unable to acquire lock on file "
                + "'/tmp/pgbackrest/x-backup.lock': Permission denied\n       HINT: does the user running pgBackRest "
                + "have permissions on the '/tmp/pgbackrest/x-backup.lock' file?\n")));
        assertFalse(Backups.lockHeld(new NodeShell.ExecResult(1, "", "is another pgBackRest process running?")));
    }
}
