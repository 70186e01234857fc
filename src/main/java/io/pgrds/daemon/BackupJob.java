package io.pgrds.daemon;

import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import java.util.Date;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.SchedulerException;

/**
 * One backup type of a cluster ({@code backup.schedule}, full by default): what {@code pgrds backup CLUSTER --type
 * TYPE} does, a pgBackRest backup (from the primary, or a standby with {@code fromStandby}). The type is the job's
 * group ({@link Daemon#backupGroup}). Never two runs of one job at once, on every daemon sharing a job store; runs
 * of different types of one cluster are kept apart by {@link Daemon#backup}.
 */
@DisallowConcurrentExecution
public final class BackupJob implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            Daemon daemon = (Daemon) context.getScheduler().getContext().get(Daemon.CONTEXT_KEY);
            JobKey key = context.getJobDetail().getKey();
            BackupType type = Daemon.backupType(key.getGroup()).orElseThrow(
                    () -> new JobExecutionException("not a backup job group: " + key));
            Date scheduled = context.getScheduledFireTime() != null ? context.getScheduledFireTime() : new Date();
            daemon.backup(ClusterId.parse(key.getName()), type, scheduled.toInstant(),
                    "true".equals(String.valueOf(context.getMergedJobDataMap().get(Daemon.AFTER_FAILOVER))));
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
    }
}
