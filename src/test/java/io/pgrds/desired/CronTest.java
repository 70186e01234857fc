package io.pgrds.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CronTest {
    @Test
    void quartzExpressionsWithSecondsFirstAreUsable() {
        assertEquals(Optional.empty(), Cron.problem("0 30 2 * * ?"));
        assertEquals(Optional.empty(), Cron.problem("0 0 3 ? * SUN"));
        assertEquals(Optional.empty(), Cron.problem("0 0 3 ? * MON-SAT"));
        assertEquals(Optional.empty(), Cron.problem("0 0 * * * ?"));
        assertEquals(Optional.empty(), Cron.problem("0/5 * * * * ?"));
    }

    @Test
    void aUnixExpressionIsRecognisedAndTranslatedWhenItRunsEveryDay() {
        assertEquals(Optional.of("\"30 2 * * *\" is a Unix cron expression (five fields); pgrds takes Quartz's, "
                + "seconds first: seconds minutes hours day-of-month month day-of-week [year], e.g. \"0 30 2 * * ?\"."),
                Cron.problem("30 2 * * *"));
        assertEquals(Optional.of("\"0 3 * * 0\" is a Unix cron expression (five fields); pgrds takes Quartz's, "
                + "seconds first: seconds minutes hours day-of-month month day-of-week [year]."),
                Cron.problem("0 3 * * 0"));
    }

    @Test
    void bothDayFieldsGetAQuestionMarkSuggested() {
        assertEquals(Optional.of("\"0 0 3 * * *\" gives both day-of-month and day-of-week, which Quartz does not "
                + "support; put ? in one of them, e.g. \"0 0 3 * * ?\"."), Cron.problem("0 0 3 * * *"));
        assertEquals(Optional.of("\"0 0 3 * * MON\" gives both day-of-month and day-of-week, which Quartz does not "
                + "support; put ? in one of them, e.g. \"0 0 3 ? * MON\"."), Cron.problem("0 0 3 * * MON"));
    }

    @Test
    void anythingElseQuotesQuartzAndTheExpectedForm() {
        assertEquals(Optional.of("\"0 61 3 * * ?\" is not a Quartz cron expression (Minute and Second values must be "
                + "between 0 and 59); write seconds minutes hours day-of-month month day-of-week [year], e.g. "
                + "\"0 30 2 * * ?\" for 02:30 every day."), Cron.problem("0 61 3 * * ?"));
        assertEquals(Optional.of("\"nightly\" is not a Quartz cron expression (Illegal characters for this position: 'NIG'); write "
                + "seconds minutes hours day-of-month month day-of-week [year], e.g. \"0 30 2 * * ?\" for 02:30 every "
                + "day."), Cron.problem("nightly"));
    }

    @Test
    void anExpressionNoDateMatchesIsRefused() {
        assertEquals(Optional.of("\"0 0 0 30 2 ?\" never fires: no date matches it; check the day and month."),
                Cron.problem("0 0 0 30 2 ?"));
    }

    @Test
    void typesAreOrderedBiggestFirst() {
        assertEquals(java.util.List.of(), BackupType.FULL.bigger());
        assertEquals(java.util.List.of(BackupType.FULL), BackupType.DIFF.bigger());
        assertEquals(java.util.List.of(BackupType.FULL, BackupType.DIFF), BackupType.INCR.bigger());
        assertEquals(Optional.of(BackupType.INCR), BackupType.of("incr"));
        assertEquals(Optional.empty(), BackupType.of("INCR"));
    }
}
