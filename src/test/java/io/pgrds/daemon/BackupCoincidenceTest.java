package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.daemon.BackupCoincidence.Fires;
import io.pgrds.desired.BackupType;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Only the biggest of the backup types of a cluster due within the same minute is taken: full > diff > incr. */
class BackupCoincidenceTest {
    private static final Instant SUNDAY = Instant.parse("2040-01-01T03:00:00Z");
    private static final Instant NEXT_SUNDAY = Instant.parse("2040-01-08T03:00:00Z");
    private static final Instant LAST_SUNDAY = Instant.parse("2039-12-25T03:00:00Z");

    private static Fires fires(Instant previous, Instant next) {
        return new Fires(Optional.ofNullable(previous), Optional.ofNullable(next));
    }

    @Test
    void aDiffDueWithAFullThatHasNotFiredYetGivesWay() {
        assertEquals(Optional.of("the full backup scheduled for 2040-01-01T03:00:00Z takes its place"),
                BackupCoincidence.givesWay(BackupType.DIFF, SUNDAY, Map.of(BackupType.FULL,
                        fires(LAST_SUNDAY, SUNDAY))));
    }

    @Test
    void aDiffDueWithAFullThatFiredAMomentEarlierGivesWay() {
        assertEquals(Optional.of("the full backup scheduled for 2040-01-01T03:00:00Z takes its place"),
                BackupCoincidence.givesWay(BackupType.DIFF, SUNDAY, Map.of(BackupType.FULL,
                        fires(SUNDAY, NEXT_SUNDAY))));
    }

    @Test
    void aFullAlwaysRuns() {
        assertEquals(Optional.empty(), BackupCoincidence.givesWay(BackupType.FULL, SUNDAY, Map.of(BackupType.DIFF,
                fires(SUNDAY, SUNDAY.plusSeconds(86400)), BackupType.INCR, fires(SUNDAY, SUNDAY.plusSeconds(3600)))));
    }

    @Test
    void anIncrGivesWayToTheBiggestTypeDueWithIt() {
        assertEquals(Optional.of("the full backup scheduled for 2040-01-01T03:00:00Z takes its place"),
                BackupCoincidence.givesWay(BackupType.INCR, SUNDAY, Map.of(BackupType.FULL, fires(LAST_SUNDAY, SUNDAY),
                        BackupType.DIFF, fires(SUNDAY, SUNDAY.plusSeconds(86400)))));
        assertEquals(Optional.of("the diff backup scheduled for 2040-01-02T03:00:00Z takes its place"),
                BackupCoincidence.givesWay(BackupType.INCR, SUNDAY.plusSeconds(86400), Map.of(BackupType.FULL,
                        fires(SUNDAY, NEXT_SUNDAY), BackupType.DIFF, fires(SUNDAY, SUNDAY.plusSeconds(86400)))));
    }

    @Test
    void anIncrAnHourAfterTheFullRuns() {
        assertEquals(Optional.empty(), BackupCoincidence.givesWay(BackupType.INCR, SUNDAY.plusSeconds(3600),
                Map.of(BackupType.FULL, fires(SUNDAY, NEXT_SUNDAY))));
    }

    @Test
    void withinAMinuteCoincidesAMinuteApartDoesNot() {
        assertEquals(Optional.of("the full backup scheduled for 2040-01-01T03:00:59Z takes its place"),
                BackupCoincidence.givesWay(BackupType.DIFF, SUNDAY, Map.of(BackupType.FULL,
                        fires(LAST_SUNDAY, SUNDAY.plusSeconds(59)))));
        assertEquals(Optional.empty(), BackupCoincidence.givesWay(BackupType.DIFF, SUNDAY, Map.of(BackupType.FULL,
                fires(LAST_SUNDAY, SUNDAY.plusSeconds(60)))));
        assertEquals(Optional.empty(), BackupCoincidence.givesWay(BackupType.DIFF, SUNDAY, Map.of(BackupType.FULL,
                fires(SUNDAY.minusSeconds(60), NEXT_SUNDAY))));
    }

    @Test
    void afterATimeWithoutDaemonTheOverdueFullIsTakenAndTheMissedDiffIsNot() {
        // both were missed; Quartz fires each once at the start, the diff's scheduled time being that moment
        Instant start = Instant.parse("2040-01-01T09:12:30.250Z");
        assertEquals(Optional.of("the full backup scheduled for 2040-01-01T03:00:00Z takes its place"),
                BackupCoincidence.givesWay(BackupType.DIFF, start, Map.of(BackupType.FULL,
                        fires(LAST_SUNDAY, SUNDAY))), "the full has not fired yet: it is overdue");
        assertEquals(Optional.of("the full backup scheduled for 2040-01-01T09:12:30.200Z takes its place"),
                BackupCoincidence.givesWay(BackupType.DIFF, start, Map.of(BackupType.FULL,
                        fires(Instant.parse("2040-01-01T09:12:30.200Z"), NEXT_SUNDAY))), "the full fired first");
    }

    @Test
    void typesWithoutTriggerDoNotCount() {
        assertEquals(Optional.empty(), BackupCoincidence.givesWay(BackupType.INCR, SUNDAY, Map.of()));
        assertEquals(Optional.empty(), BackupCoincidence.givesWay(BackupType.DIFF, SUNDAY, Map.of(BackupType.FULL,
                fires(null, null))));
    }
}
