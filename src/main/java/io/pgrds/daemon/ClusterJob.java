package io.pgrds.daemon;

import io.pgrds.desired.ClusterId;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;

/**
 * One run of one cluster. {@link DisallowConcurrentExecution} is per job, so per cluster: a run triggered by a
 * push while the scheduled one is running waits for it (in a clustered job store, on every daemon).
 */
@DisallowConcurrentExecution
public final class ClusterJob extends DaemonJob {
    @Override
    void run(Daemon daemon, JobExecutionContext context) {
        daemon.reconcile(ClusterId.parse(context.getMergedJobDataMap().getString(Schedules.CLUSTER)));
    }
}
