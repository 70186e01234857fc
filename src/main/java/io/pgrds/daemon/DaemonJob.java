package io.pgrds.daemon;

import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/** A Quartz job that calls back into the daemon that scheduled it (kept in the scheduler's context). */
abstract class DaemonJob implements Job {
    @Override
    public final void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            run((Daemon) context.getScheduler().getContext().get(Schedules.CONTEXT_KEY), context);
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
    }

    abstract void run(Daemon daemon, JobExecutionContext context) throws SchedulerException;
}
