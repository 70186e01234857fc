package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import io.pgrds.testing.FleetRepo;
import io.pgrds.transport.ShellOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;

/**
 * {@code backup.schedule}: one cron trigger per backup type of a cluster, the rule that leaves only the biggest of
 * two types due at once, and the outcomes per type in /status and /metrics.
 */
class DaemonBackupScheduleTest {
    private static final ClusterId ID = ClusterId.parse("orderdata/integration");
    private static final BackupType FULL = BackupType.FULL;
    private static final BackupType DIFF = BackupType.DIFF;
    private static final BackupType INCR = BackupType.INCR;

    @TempDir
    Path tmp;

    @Test
    void theTriggerFiresAtTheScheduleInUtcAndTakesAMissedBackupOnce() {
        CronTrigger t = Schedules.backupTrigger(ID, FULL, "0 30 2 * * ?");
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
    void eachTypeHasItsOwnTriggerAndAFullOneKeepsTheGroupOfTheSingleSchedule() {
        assertEquals("backups.orderdata/integration", Schedules.backupTrigger(ID, FULL, "0 0 3 ? * SUN").getKey()
                .toString());
        assertEquals("backups-diff.orderdata/integration", Schedules.backupTrigger(ID, DIFF, "0 0 3 * * ?").getKey()
                .toString());
        assertEquals("backups-incr.orderdata/integration", Schedules.backupTrigger(ID, INCR, "0 0 * * * ?")
                .getJobKey().toString());
        assertEquals(Optional.of(DIFF), Schedules.backupType("backups-diff"));
        assertEquals(Optional.of(FULL), Schedules.backupType("backups"));
        assertEquals(Optional.empty(), Schedules.backupType("clusters"));
    }

    @Test
    void aUnixCronExpressionIsRefusedWithTheClusterTypeAndTheExpectedForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedules.backupTrigger(ID, DIFF, "30 2 * * *"));
        assertEquals("orderdata/integration: the diff backup schedule \"30 2 * * *\" is a Unix cron expression "
                + "(five fields); pgrds takes Quartz's, seconds first: seconds minutes hours day-of-month month "
                + "day-of-week [year], e.g. \"0 30 2 * * ?\".", e.getMessage());
    }

    @Test
    void backupJobsFollowTheSchedulesInTheRepository() throws Exception {
        ClusterId other = ClusterId.parse("orderdata/staging");
        try (Daemon daemon = daemon()) {
            daemon.schedules().scheduleBackups(Map.of(ID, Map.of(FULL, "0 30 2 * * ?"), other, Map.of(FULL, "0 0 3 ? * SUN",
                    DIFF, "0 0 3 ? * MON-SAT", INCR, "0 0 * * * ?")), true);
            assertEquals(Optional.of("0 30 2 * * ?"), daemon.backupSchedule(ID, FULL));
            assertEquals(Optional.empty(), daemon.backupSchedule(ID, DIFF));
            assertEquals(Optional.of("0 0 3 ? * SUN"), daemon.backupSchedule(other, FULL));
            assertEquals(Optional.of("0 0 3 ? * MON-SAT"), daemon.backupSchedule(other, DIFF));
            assertEquals(Optional.of("0 0 * * * ?"), daemon.backupSchedule(other, INCR));

            daemon.schedules().scheduleBackups(Map.of(ID, Map.of(FULL, "0 0 4 * * ?"), other, Map.of(FULL, "0 0 3 ? * SUN",
                    DIFF, "0 0 3 ? * MON-SAT", INCR, "0 0 * * * ?")), true);
            assertEquals(Optional.of("0 0 4 * * ?"), daemon.backupSchedule(ID, FULL), "a changed schedule is rescheduled");

            daemon.schedules().scheduleBackups(Map.of(ID, Map.of(FULL, "not cron"), other, Map.of(FULL, "0 0 3 ? * SUN",
                    DIFF, "0 0 3 ? * MON-SAT", INCR, "0 0 * * * ?")), true);
            assertEquals(Optional.of("0 0 4 * * ?"), daemon.backupSchedule(ID, FULL),
                    "an invalid expression leaves the job as it was");

            daemon.schedules().scheduleBackups(Map.of(), false);
            assertEquals(Optional.of("0 0 3 ? * SUN"), daemon.backupSchedule(other, FULL),
                    "nothing is removed while the repository has invalid files");

            daemon.schedules().scheduleBackups(Map.of(ID, Map.of(FULL, "0 0 4 * * ?"), other, Map.of(FULL, "0 0 3 ? * SUN")),
                    true);
            assertEquals(Optional.of("0 0 3 ? * SUN"), daemon.backupSchedule(other, FULL));
            assertEquals(Optional.empty(), daemon.backupSchedule(other, DIFF), "a type taken out removes its job");
            assertEquals(Optional.empty(), daemon.backupSchedule(other, INCR));

            daemon.schedules().scheduleBackups(Map.of(ID, Map.of(FULL, "0 0 4 * * ?")), true);
            assertEquals(Optional.empty(), daemon.backupSchedule(other, FULL), "a schedule taken out removes the job");
            assertEquals(Optional.of("0 0 4 * * ?"), daemon.backupSchedule(ID, FULL));

            daemon.schedules().scheduleBackups(Map.of(ID, Map.of(INCR, "0 0 * * * ?")), true);
            assertEquals(Optional.empty(), daemon.backupSchedule(ID, FULL), "only the types named are scheduled");
            assertEquals(Optional.of("0 0 * * * ?"), daemon.backupSchedule(ID, INCR));
        }
    }

    @Test
    void aSmallerTypeDueWithABiggerOneIsSkippedAndSaysWhich() throws Exception {
        try (Daemon daemon = daemon()) {
            daemon.schedules().scheduleBackups(Map.of(ID, Map.of(FULL, "0 0 3 ? * SUN", DIFF, "0 0 3 * * ?")), true);
            // the next Sunday 03:00: the full trigger's next fire time, and one of the diff trigger's
            Instant sunday = Schedules.backupTrigger(ID, FULL, "0 0 3 ? * SUN").getFireTimeAfter(new Date()).toInstant();
            daemon.backup(ID, DIFF, sunday);
            BackupRuns diff = daemon.status(ID).orElseThrow().backups().get(DIFF);
            assertEquals(Optional.empty(), diff.last(), "no backup was taken, so there is no last one");
            BackupRuns.Skipped skip = diff.lastSkipped().orElseThrow();
            assertEquals(BackupRuns.Cause.BIGGER_TYPE, skip.cause());
            assertEquals("the full backup scheduled for " + sunday + " takes its place", skip.reason());
            assertEquals(Map.of(BackupRuns.Cause.BIGGER_TYPE, 1L, BackupRuns.Cause.ALREADY_RUNNING, 0L),
                    diff.skipped());
        }
    }

    @Test
    void theLastBackupOfEachTypeIsInStatusAndMetrics() {
        ClusterStatus s = ClusterStatus.pending(ID)
                .withBackup(new LastBackup(FULL, Instant.parse("2026-01-04T03:00:00Z"), 61_500, true,
                        Optional.of("pg1"), Optional.of("20260104-030000F"), Optional.empty()))
                .withSkippedBackup(new BackupRuns.Skipped(DIFF, Instant.parse("2026-01-04T03:00:00.010Z"),
                        BackupRuns.Cause.BIGGER_TYPE, "the full backup scheduled for 2026-01-04T03:00:00Z takes its "
                        + "place"))
                .withBackup(new LastBackup(DIFF, Instant.parse("2026-01-05T03:00:00Z"), 2_000, false,
                        Optional.empty(), Optional.empty(), Optional.of("no running primary")));
        assertEquals("""
                # HELP pgrds_cluster_backups_skipped_total Scheduled backups not taken, by cause: a bigger type due within the same minute (bigger_type), a backup still running (already_running).
                # TYPE pgrds_cluster_backups_skipped_total counter
                pgrds_cluster_backups_skipped_total{cause="already_running",cluster="orderdata/integration",type="diff"} 0.0
                pgrds_cluster_backups_skipped_total{cause="already_running",cluster="orderdata/integration",type="full"} 0.0
                pgrds_cluster_backups_skipped_total{cause="bigger_type",cluster="orderdata/integration",type="diff"} 1.0
                pgrds_cluster_backups_skipped_total{cause="bigger_type",cluster="orderdata/integration",type="full"} 0.0
                # HELP pgrds_cluster_last_backup_duration_seconds How long the last scheduled backup of the type took.
                # TYPE pgrds_cluster_last_backup_duration_seconds gauge
                pgrds_cluster_last_backup_duration_seconds{cluster="orderdata/integration",type="diff"} 2.0
                pgrds_cluster_last_backup_duration_seconds{cluster="orderdata/integration",type="full"} 61.5
                # HELP pgrds_cluster_last_backup_result 1 with the result of the last scheduled backup of the type (ok, error) as a label.
                # TYPE pgrds_cluster_last_backup_result gauge
                pgrds_cluster_last_backup_result{cluster="orderdata/integration",result="error",type="diff"} 1.0
                pgrds_cluster_last_backup_result{cluster="orderdata/integration",result="ok",type="full"} 1.0
                # HELP pgrds_cluster_last_backup_timestamp_seconds When the last scheduled backup of the type started (Unix time).
                # TYPE pgrds_cluster_last_backup_timestamp_seconds gauge
                pgrds_cluster_last_backup_timestamp_seconds{cluster="orderdata/integration",type="diff"} 1.767582E9
                pgrds_cluster_last_backup_timestamp_seconds{cluster="orderdata/integration",type="full"} 1.7674956E9
                """, backupFamilies(Metrics.render(List.of(s), true)));
        String json = StatusJson.render(List.of(s), true);
        assertEquals("""
                    "last_backup" : {
                      "type" : "diff",
                      "at" : "2026-01-05T03:00:00Z",
                      "ms" : 2000,
                      "result" : "error",
                      "node" : null,
                      "label" : null,
                      "message" : "no running primary"
                    },
                    "backups" : {
                      "full" : {
                        "last" : {
                          "type" : "full",
                          "at" : "2026-01-04T03:00:00Z",
                          "ms" : 61500,
                          "result" : "ok",
                          "node" : "pg1",
                          "label" : "20260104-030000F",
                          "message" : null
                        },
                        "skipped" : {
                          "bigger_type" : 0,
                          "already_running" : 0
                        },
                        "last_skipped" : null
                      },
                      "diff" : {
                        "last" : {
                          "type" : "diff",
                          "at" : "2026-01-05T03:00:00Z",
                          "ms" : 2000,
                          "result" : "error",
                          "node" : null,
                          "label" : null,
                          "message" : "no running primary"
                        },
                        "skipped" : {
                          "bigger_type" : 1,
                          "already_running" : 0
                        },
                        "last_skipped" : {
                          "at" : "2026-01-04T03:00:00.010Z",
                          "cause" : "bigger_type",
                          "reason" : "the full backup scheduled for 2026-01-04T03:00:00Z takes its place"
                        }
                      }
                    },
                    "backup_repository" : null,
                    "watch" : null
                """, json.substring(json.indexOf("    \"last_backup\""), json.indexOf("  } ]")));
        String pending = StatusJson.render(List.of(ClusterStatus.pending(ID)), true);
        assertEquals("    \"last_backup\" : null,\n    \"backups\" : { },\n    \"backup_repository\" : null,\n"
                + "    \"watch\" : null\n", pending.substring(pending.indexOf("    \"last_backup\""),
                pending.indexOf("  } ]")));
        assertEquals(-1, Metrics.render(List.of(ClusterStatus.pending(ID)), true).indexOf("backup"),
                "a fleet without scheduled backups has no backup families");
    }

    private static String backupFamilies(String metrics) {
        StringBuilder b = new StringBuilder();
        metrics.lines().filter(l -> l.contains("backup")).forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }

    private Daemon daemon() {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        return new Daemon(new Daemon.Config(fleet.dir().toString(), null, Duration.ofHours(1), null,
                Optional.empty(), Optional.empty(), tmp.resolve("cache"), ShellOptions.defaults(), 1,
                Duration.ofSeconds(5), Duration.ofSeconds(5), 2, "pgrds-test-" + System.nanoTime(), "test")).start();
    }
}
