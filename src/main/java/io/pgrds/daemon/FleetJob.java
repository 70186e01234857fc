package io.pgrds.daemon;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/** Reads the fleet repository and keeps one job per cluster; with {@code triggerAll}, runs them all now. */
@DisallowConcurrentExecution
public final class FleetJob implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            Daemon daemon = (Daemon) context.getScheduler().getContext().get(Daemon.CONTEXT_KEY);
            daemon.refreshFleet("true".equals(context.getMergedJobDataMap().getString(Daemon.TRIGGER_ALL)));
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
    }
}
