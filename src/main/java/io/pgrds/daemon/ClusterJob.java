package io.pgrds.daemon;

import io.pgrds.desired.ClusterId;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/**
 * One run of one cluster. {@link DisallowConcurrentExecution} is per job, so per cluster: a run triggered by a
 * push while the scheduled one is running waits for it (in a clustered job store, on every daemon).
 */
@DisallowConcurrentExecution
public final class ClusterJob implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            Daemon daemon = (Daemon) context.getScheduler().getContext().get(Daemon.CONTEXT_KEY);
            daemon.reconcile(ClusterId.parse(context.getMergedJobDataMap().getString(Daemon.CLUSTER)));
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
    }
}
