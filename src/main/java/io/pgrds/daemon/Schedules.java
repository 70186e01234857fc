package io.pgrds.daemon;

import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.Cron;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's Quartz wiring: the fleet job, one job per cluster with one trigger (every interval), and one job per
 * backup type of a cluster with its cron trigger. Nothing here reaches a node; the jobs call back into the daemon.
 */
final class Schedules {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    static final String CONTEXT_KEY = "io.pgrds.daemon";
    static final String CLUSTERS = "clusters";
    static final String BACKUPS = "backups";
    static final JobKey FLEET_JOB = JobKey.jobKey("fleet", "pgrds");
    static final String TRIGGER_ALL = "triggerAll";
    static final String CLUSTER = "cluster";
    /** The job data that marks the full backup fired after a failover (a string: the JDBC job store keeps strings). */
    static final String AFTER_FAILOVER = "afterFailover";

    private final Daemon.Config config;
    private final Scheduler scheduler;
    /** The expression of each backup job that could not be scheduled, once warned about. */
    private final Map<JobKey, String> badSchedules = new ConcurrentHashMap<>();

    private Schedules(Daemon.Config config, Scheduler scheduler) {
        this.config = config;
        this.scheduler = scheduler;
    }

    /**
     * A scheduler of its own for {@code daemon} (out of Quartz's JVM-wide registry, so daemons sharing one clustered
     * job store, which must share the scheduler name, can also run in one JVM), with the fleet job that fires at once
     * and every interval. Not started.
     */
    static Schedules create(Daemon daemon, Daemon.Config config) throws SchedulerException {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", config.schedulerName());
        // unique per daemon: a clustered job store tells the instances apart by it
        p.setProperty("org.quartz.scheduler.instanceId", config.host() + "-" + ProcessHandle.current().pid()
                + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL));
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(Math.max(2, config.threads())));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "pgrds-" + config.schedulerName());
        p.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
        if (config.jobStore().isPresent()) {
            JobStores.prepare(config.jobStore().get());
            p.putAll(JobStores.properties(config.jobStore().get()));
        } else {
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
        SchedulerRepository.getInstance().remove(config.schedulerName());
        scheduler.getContext().put(CONTEXT_KEY, daemon);
        JobDetail fleet = JobBuilder.newJob(FleetJob.class).withIdentity(FLEET_JOB).storeDurably()
                .withDescription("reads the fleet repository; adds and removes the clusters' jobs").build();
        Trigger every = TriggerBuilder.newTrigger().withIdentity("fleet", "pgrds").forJob(FLEET_JOB).startNow()
                .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(config.interval().toMillis()).repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount()).build();
        try {
            scheduler.addJob(fleet, true);
            if (scheduler.getTrigger(every.getKey()) == null) {
                scheduler.scheduleJob(every);
            }
        } catch (ObjectAlreadyExistsException e) {
            // another daemon on the same job store scheduled it first
        }
        return new Schedules(config, scheduler);
    }

    Scheduler scheduler() {
        return scheduler;
    }

    boolean running() {
        try {
            return scheduler.isStarted() && !scheduler.isShutdown() && !scheduler.isInStandbyMode();
        } catch (SchedulerException e) {
            return false;
        }
    }

    /** The clusters that have a job. */
    java.util.Set<JobKey> clusterKeys() throws SchedulerException {
        return scheduler.getJobKeys(GroupMatcher.jobGroupEquals(CLUSTERS));
    }

    /** Gives a cluster its job (every interval, the first run after a small random delay). */
    void schedule(ClusterId id, JobKey key) throws SchedulerException {
        JobDetail job = JobBuilder.newJob(ClusterJob.class).withIdentity(key).storeDurably()
                .usingJobData(CLUSTER, id.toString()).withDescription("reconciles " + id).build();
        // a small random delay spreads the first runs of many clusters (at most a quarter interval, 5 s)
        long jitter = ThreadLocalRandom.current().nextLong(Math.min(5000, config.interval().toMillis() / 4) + 1);
        Trigger trigger = every(id, new Date(System.currentTimeMillis() + jitter));
        try {
            scheduler.addJob(job, true);
            scheduler.scheduleJob(trigger);
            LOG.info("{}: job scheduled every {} s", id, config.interval().toSeconds());
        } catch (ObjectAlreadyExistsException e) {
            // another daemon on the same job store scheduled it first
        }
    }

    /**
     * A cluster's one trigger: every interval from {@code start}. A missed run (busy threads, daemon down) runs
     * once now, not once per missed interval.
     */
    private Trigger every(ClusterId id, Date start) {
        return TriggerBuilder.newTrigger().withIdentity(id.toString(), CLUSTERS)
                .forJob(JobKey.jobKey(id.toString(), CLUSTERS)).startAt(start)
                .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(config.interval().toMillis()).repeatForever()
                        .withMisfireHandlingInstructionNowWithExistingCount()).build();
    }

    /**
     * Runs a cluster now by moving its one trigger to now, rather than adding a second trigger: with a second
     * trigger, Quartz's clustered JDBC store can fire it on another daemon while the first run is still going
     * (its blocked-state check reads only the first fired-trigger record of the job, and an acquired one carries
     * no concurrency flag). With one trigger per job the job store keeps it blocked for the whole run, here and
     * on every other daemon; a run in progress is followed by the new one.
     */
    void runNow(ClusterId id) throws SchedulerException {
        Trigger now = every(id, new Date());
        if (scheduler.rescheduleJob(now.getKey(), now) == null) {
            try {
                scheduler.scheduleJob(now);
            } catch (ObjectAlreadyExistsException e) {
                // another daemon scheduled it in between
            }
        }
    }

    /** Deletes a cluster's jobs: its runs and its backups. */
    void forget(ClusterId id) throws SchedulerException {
        for (BackupType type : BackupType.values()) {
            scheduler.deleteJob(backupJob(id, type));
        }
        scheduler.deleteJob(JobKey.jobKey(id.toString(), CLUSTERS));
    }

    /**
     * The job group of a backup type. A full backup keeps {@code backups}, the group of the single schedule before
     * backups had types, so that a shared job store written then keeps its trigger (and a backup missed during the
     * upgrade); the others are {@code backups-diff} and {@code backups-incr}. A job's name is its cluster.
     */
    static String backupGroup(BackupType type) {
        return type == BackupType.FULL ? BACKUPS : BACKUPS + "-" + type.key();
    }

    static Optional<BackupType> backupType(String group) {
        return java.util.Arrays.stream(BackupType.values()).filter(t -> backupGroup(t).equals(group)).findFirst();
    }

    static JobKey backupJob(ClusterId id, BackupType type) {
        return JobKey.jobKey(id.toString(), backupGroup(type));
    }

    /**
     * Gives each cluster one backup job and cron trigger per type in its {@code backup.schedule} (rescheduled when
     * the expression changed); deletes the backup jobs of types and clusters without one, unless the repository has
     * invalid files ({@code removeOthers} false). An expression Quartz cannot use (the loader reports it first) is
     * logged once and leaves that job as it is.
     */
    void scheduleBackups(Map<ClusterId, ? extends Map<BackupType, String>> schedules, boolean removeOthers)
            throws SchedulerException {
        for (Map.Entry<ClusterId, ? extends Map<BackupType, String>> c : schedules.entrySet()) {
            for (Map.Entry<BackupType, String> e : new java.util.TreeMap<>(c.getValue()).entrySet()) {
                scheduleBackup(c.getKey(), e.getKey(), e.getValue());
            }
        }
        if (removeOthers) {
            for (BackupType type : BackupType.values()) {
                for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(backupGroup(type)))) {
                    Map<BackupType, String> wanted = schedules.get(ClusterId.parse(key.getName()));
                    if (wanted == null || !wanted.containsKey(type)) {
                        scheduler.deleteJob(key);
                        LOG.info("{}: no {} backup in backup.schedule any more, its backup job is deleted",
                                key.getName(), type.key());
                    }
                }
            }
        }
    }

    private void scheduleBackup(ClusterId id, BackupType type, String schedule) throws SchedulerException {
        JobKey key = backupJob(id, type);
        CronTrigger trigger;
        try {
            trigger = backupTrigger(id, type, schedule);
        } catch (IllegalArgumentException e) {
            warnOnce(key, schedule, e.getMessage());
            return;
        }
        Trigger existing = scheduler.getTrigger(trigger.getKey());
        if (existing instanceof CronTrigger cron && cron.getCronExpression().equals(schedule)) {
            badSchedules.remove(key);
            return;
        }
        try {
            if (existing != null) {
                scheduler.rescheduleJob(trigger.getKey(), trigger);
            } else {
                scheduler.addJob(JobBuilder.newJob(BackupJob.class).withIdentity(key).storeDurably()
                        .usingJobData(CLUSTER, id.toString()).withDescription(type.key() + " backups of " + id)
                        .build(), true);
                scheduler.scheduleJob(trigger);
            }
            badSchedules.remove(key);
            LOG.info("{}: {} backups scheduled at '{}' (UTC), next {}", id, type.key(), schedule,
                    trigger.getFireTimeAfter(new Date()).toInstant());
        } catch (ObjectAlreadyExistsException race) {
            // another daemon on the same job store scheduled it first
        } catch (SchedulerException e) {
            // e.g. an expression with a year that has passed: it will never fire again
            warnOnce(key, schedule, id + ": the " + type.key() + " backup schedule '" + schedule + "' cannot be "
                    + "scheduled: " + e.getMessage());
        }
    }

    /** Logs a schedule that cannot be used once, not at every fleet refresh. */
    private void warnOnce(JobKey key, String schedule, String message) {
        if (!schedule.equals(badSchedules.put(key, schedule))) {
            LOG.warn("{}", message);
        }
    }

    /**
     * The trigger of one backup type of a cluster, from its expression in {@code backup.schedule}: a Quartz cron
     * expression (seconds first, e.g. {@code 0 30 2 * * ?}), in UTC so that every daemon sharing a job store
     * reads it alike. A backup missed while no daemon ran is taken once at the next start (for several missed
     * types, the biggest: {@link BackupCoincidence}).
     *
     * @throws IllegalArgumentException when the expression is not one Quartz can use ({@link Cron#problem})
     */
    static CronTrigger backupTrigger(ClusterId id, BackupType type, String schedule) {
        Optional<String> problem = Cron.problem(schedule);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(id + ": the " + type.key() + " backup schedule " + problem.get());
        }
        JobKey job = backupJob(id, type);
        return TriggerBuilder.newTrigger().withIdentity(job.getName(), job.getGroup()).forJob(job)
                .withSchedule(CronScheduleBuilder.cronSchedule(schedule).inTimeZone(TimeZone.getTimeZone("UTC"))
                        .withMisfireHandlingInstructionFireAndProceed()).build();
    }

    /**
     * Fires a cluster's full backup job now, marked as the one after a failover; false when the cluster has no full
     * backup job.
     */
    boolean fireAfterFailover(ClusterId id) throws SchedulerException {
        JobKey job = backupJob(id, BackupType.FULL);
        if (!scheduler.checkExists(job)) {
            return false;
        }
        scheduler.triggerJob(job, new JobDataMap(Map.of(AFTER_FAILOVER, "true")));
        return true;
    }

    /** Fires the full backup after a failover once more, a minute from now (another backup was still running). */
    void retryAfterFailover(ClusterId id) {
        JobKey job = backupJob(id, BackupType.FULL);
        try {
            scheduler.scheduleJob(TriggerBuilder.newTrigger().forJob(job).usingJobData(AFTER_FAILOVER, "true")
                    .startAt(Date.from(Instant.now().plusSeconds(60))).build());
            LOG.info("{}: the full backup after the failover waits for the running one; trying again in a minute", id);
        } catch (SchedulerException e) {
            LOG.warn("{}: the full backup after the failover could not be retried: {}; take one now (pgrds backup {} "
                    + "--type full)", id, e.getMessage(), id);
        }
    }

    /** The fire times of the triggers of the cluster's types bigger than {@code type}. */
    Map<BackupType, BackupCoincidence.Fires> biggerTriggers(ClusterId id, BackupType type)
            throws SchedulerException {
        Map<BackupType, BackupCoincidence.Fires> out = new java.util.EnumMap<>(BackupType.class);
        for (BackupType b : type.bigger()) {
            JobKey job = backupJob(id, b);
            Trigger t = scheduler.getTrigger(org.quartz.TriggerKey.triggerKey(job.getName(), job.getGroup()));
            if (t != null) {
                out.put(b, new BackupCoincidence.Fires(Optional.ofNullable(t.getPreviousFireTime())
                        .map(Date::toInstant),
                        Optional.ofNullable(t.getNextFireTime()).map(Date::toInstant)));
            }
        }
        return out;
    }

    /** A push arrived: read the repository now and run every cluster (also the new ones) once. */
    void triggerAll() throws SchedulerException {
        JobDataMap data = new JobDataMap();
        data.put(TRIGGER_ALL, "true");
        scheduler.triggerJob(FLEET_JOB, data);
    }

    /** The cron expression of a cluster's backup trigger of one type, if it has one. */
    Optional<String> backupSchedule(ClusterId id, BackupType type) throws SchedulerException {
        return Optional.ofNullable(scheduler.getTrigger(org.quartz.TriggerKey.triggerKey(id.toString(),
                backupGroup(type)))).map(t -> ((CronTrigger) t).getCronExpression());
    }

    Collection<String> clusterJobs() throws SchedulerException {
        List<String> out = new ArrayList<>();
        scheduler.getJobKeys(GroupMatcher.jobGroupEquals(CLUSTERS)).forEach(k -> out.add(k.getName()));
        return out;
    }
}
