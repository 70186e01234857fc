package io.pgrds.daemon;

import io.pgrds.desired.ClusterId;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/**
 * A cluster's scheduled backup ({@code backup.schedule}): what {@code pgrds backup CLUSTER} does, a full pgBackRest
 * backup from the primary. One at a time per cluster, on every daemon sharing a job store.
 */
@DisallowConcurrentExecution
public final class BackupJob implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            Daemon daemon = (Daemon) context.getScheduler().getContext().get(Daemon.CONTEXT_KEY);
            daemon.backup(ClusterId.parse(context.getMergedJobDataMap().getString(Daemon.CLUSTER)));
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
    }
}
