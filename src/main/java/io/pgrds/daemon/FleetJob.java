package io.pgrds.daemon;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;

/** Reads the fleet repository and keeps one job per cluster; with {@code triggerAll}, runs them all now. */
@DisallowConcurrentExecution
public final class FleetJob extends DaemonJob {
    @Override
    void run(Daemon daemon, JobExecutionContext context) throws SchedulerException {
        daemon.refreshFleet("true".equals(context.getMergedJobDataMap().getString(Schedules.TRIGGER_ALL)));
    }
}
