package io.pgrds.daemon;

import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import java.util.Date;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.SchedulerException;

/**
 * One backup type of a cluster ({@code backup.schedule}, full by default): what {@code pgrds backup CLUSTER --type
 * TYPE} does, a pgBackRest backup (from the primary, or a standby with {@code fromStandby}). The type is the job's
 * group ({@link Schedules#backupGroup}). Never two runs of one job at once, on every daemon sharing a job store; runs
 * of different types of one cluster are kept apart by {@link BackupRunner}.
 */
@DisallowConcurrentExecution
public final class BackupJob extends DaemonJob {
    @Override
    void run(Daemon daemon, JobExecutionContext context) throws SchedulerException {
        JobKey key = context.getJobDetail().getKey();
        BackupType type = Schedules.backupType(key.getGroup()).orElseThrow(
                () -> new SchedulerException("not a backup job group: " + key));
        Date scheduled = context.getScheduledFireTime() != null ? context.getScheduledFireTime() : new Date();
        daemon.backups().backup(ClusterId.parse(key.getName()), type, scheduled.toInstant(),
                "true".equals(String.valueOf(context.getMergedJobDataMap().get(Schedules.AFTER_FAILOVER))));
    }
}
