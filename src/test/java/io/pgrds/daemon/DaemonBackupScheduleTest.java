package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.ClusterId;
import io.pgrds.testing.FleetRepo;
import io.pgrds.transport.ShellOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;

/** {@code backup.schedule}: the cron trigger of a cluster's backup job, and the outcome in /status and /metrics. */
class DaemonBackupScheduleTest {
    private static final ClusterId ID = ClusterId.parse("orderdata/integration");

    @TempDir
    Path tmp;

    @Test
    void theTriggerFiresAtTheScheduleInUtcAndTakesAMissedBackupOnce() {
        CronTrigger t = Daemon.backupTrigger(ID, "0 30 2 * * ?");
        assertEquals("backups.orderdata/integration", t.getKey().toString());
        assertEquals("backups.orderdata/integration", t.getJobKey().toString());
        assertEquals("0 30 2 * * ?", t.getCronExpression());
        assertEquals("UTC", t.getTimeZone().getID());
        assertEquals(Instant.parse("2040-01-01T02:30:00Z"),
                t.getFireTimeAfter(Date.from(Instant.parse("2040-01-01T00:00:00Z"))).toInstant());
        assertEquals(Instant.parse("2040-01-02T02:30:00Z"),
                t.getFireTimeAfter(Date.from(Instant.parse("2040-01-01T02:30:00Z"))).toInstant());
        assertEquals(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW, t.getMisfireInstruction());
    }

    @Test
    void aUnixCronExpressionIsRefusedWithTheClusterAndTheExpectedForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Daemon.backupTrigger(ID, "30 2 * * *"));
        assertEquals("orderdata/integration: backup.schedule \"30 2 * * *\" is a Unix cron expression (five fields); "
                + "pgrds takes Quartz's, seconds first: seconds minutes hours day-of-month month day-of-week [year], "
                + "e.g. \"0 30 2 * * ?\".", e.getMessage());
    }

    @Test
    void backupJobsFollowTheSchedulesInTheRepository() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        try (Daemon daemon = new Daemon(new Daemon.Config(fleet.dir().toString(), null, Duration.ofHours(1), null,
                Optional.empty(), Optional.empty(), tmp.resolve("cache"), ShellOptions.defaults(), 1,
                Duration.ofSeconds(5), Duration.ofSeconds(5), 2, "pgrds-test-" + System.nanoTime(), "test"))) {
            daemon.start();
            ClusterId other = ClusterId.parse("orderdata/staging");
            daemon.scheduleBackups(Map.of(ID, "0 30 2 * * ?", other, "0 0 3 ? * SUN"), true);
            assertEquals(Optional.of("0 30 2 * * ?"), daemon.backupSchedule(ID));
            assertEquals(Optional.of("0 0 3 ? * SUN"), daemon.backupSchedule(other));

            daemon.scheduleBackups(Map.of(ID, "0 0 4 * * ?", other, "0 0 3 ? * SUN"), true);
            assertEquals(Optional.of("0 0 4 * * ?"), daemon.backupSchedule(ID), "a changed schedule is rescheduled");

            daemon.scheduleBackups(Map.of(ID, "not cron", other, "0 0 3 ? * SUN"), true);
            assertEquals(Optional.of("0 0 4 * * ?"), daemon.backupSchedule(ID),
                    "an invalid expression leaves the job as it was");

            daemon.scheduleBackups(Map.of(), false);
            assertEquals(Optional.of("0 0 3 ? * SUN"), daemon.backupSchedule(other),
                    "nothing is removed while the repository has invalid files");
            daemon.scheduleBackups(Map.of(ID, "0 0 4 * * ?"), true);
            assertEquals(Optional.empty(), daemon.backupSchedule(other), "a schedule taken out removes the job");
            assertEquals(Optional.of("0 0 4 * * ?"), daemon.backupSchedule(ID));
        }
    }

    @Test
    void theLastBackupIsInStatusAndMetrics() {
        ClusterStatus s = ClusterStatus.pending(ID).withBackup(new LastBackup(Instant.parse("2026-01-01T02:30:00Z"),
                61_500, true, Optional.of("pg1"), Optional.of("20260101-023000F"), Optional.empty()));
        String metrics = Metrics.render(java.util.List.of(s), true);
        assertTrue(metrics.contains("pgrds_cluster_last_backup_timestamp_seconds{cluster=\"orderdata/integration\"} "
                + "1767234600\n"), metrics);
        assertTrue(metrics.contains("pgrds_cluster_last_backup_duration_seconds{cluster=\"orderdata/integration\"} "
                + "61.5\n"), metrics);
        assertTrue(metrics.contains("pgrds_cluster_last_backup_result{cluster=\"orderdata/integration\",result=\"ok\"}"
                + " 1\n"), metrics);
        String json = StatusJson.render(java.util.List.of(s), true);
        assertTrue(json.contains("\"lastBackup\" : {\n      \"at\" : \"2026-01-01T02:30:00Z\",\n      \"millis\" : 61500,"
                + "\n      \"result\" : \"ok\",\n      \"node\" : \"pg1\",\n      \"label\" : \"20260101-023000F\","
                + "\n      \"message\" : null\n    }"), json);
        assertTrue(StatusJson.render(java.util.List.of(ClusterStatus.pending(ID)), true)
                .contains("\"lastBackup\" : null"));
    }
}
