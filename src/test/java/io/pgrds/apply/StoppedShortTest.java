package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoppedShortTest {
    @Test
    void aLaterSegmentInTheArchiveOnAnyTimelineMeansRecoveryStoppedAtAGap() {
        assertTrue(Backups.stoppedShort("000000020000000000000007", "000000030000000000000004"));
        assertTrue(Backups.stoppedShort("000000010000000100000000", "0000000200000000000000FF"));
    }

    @Test
    void recoveryThatReachedTheArchivesLastSegmentIsComplete() {
        assertFalse(Backups.stoppedShort("000000010000000000000007", "000000020000000000000007"));
        assertFalse(Backups.stoppedShort("000000010000000000000007", "000000020000000000000008"));
    }
}
