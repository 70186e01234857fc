package io.pgrds.daemon;

import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.Cron;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.source.GitSource;
import io.pgrds.source.Snapshot;
import io.pgrds.transport.NodeShells;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.ShellOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import io.pgrds.apply.Backups;
import io.pgrds.observe.BackupCatalog;
import java.time.Instant;
import java.util.TimeZone;
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
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile daemon: a Quartz scheduler with one job per cluster (never two runs of one cluster at once), a
 * fleet job that gives new clusters a job and takes removed ones' away, and the HTTP endpoints. {@link #close()}
 * stops between actions and waits for running jobs.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    static final String CONTEXT_KEY = "io.pgrds.daemon";
    static final String CLUSTERS = "clusters";
    static final String BACKUPS = "backups";
    static final JobKey FLEET_JOB = JobKey.jobKey("fleet", "pgrds");
    static final String TRIGGER_ALL = "triggerAll";
    static final String CLUSTER = "cluster";

    /**
     * @param repo           path or URL of the fleet repository
     * @param ref            branch, tag or commit (null: HEAD)
     * @param interval       time between two runs of a cluster
     * @param http           where to listen (port 0: any free port); null: no HTTP
     * @param webhookSecret  the shared secret of {@code POST /hooks/git}; empty: the webhook is disabled
     * @param jobStore       a clustered JDBC job store; empty: in memory
     * @param schedulerName  Quartz instance name: daemons sharing a JDBC job store must use the same
     */
    public record Config(String repo, String ref, Duration interval, InetSocketAddress http,
                         Optional<byte[]> webhookSecret, Optional<JobStores.Jdbc> jobStore, Path cacheDir,
                         ShellOptions shellOptions, int parallel, Duration observeDeadline, Duration lockTimeout,
                         int threads, String schedulerName, String host) {
        public Config {
            if (interval.toMillis() < 1000) {
                throw new IllegalArgumentException("the interval must be at least 1 s");
            }
            webhookSecret.ifPresent(s -> {
                if (s.length == 0) {
                    throw new IllegalArgumentException("the webhook secret is empty");
                }
            });
        }
    }

    private final Config config;
    private final Sessions.Opener opener;
    private final Map<ClusterId, ClusterStatus> statuses = new ConcurrentHashMap<>();
    private final Reconciler reconciler = new Reconciler(this);
    private final Object gitLock = new Object();
    private final Map<ClusterId, java.util.concurrent.locks.ReentrantLock> runLocks = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile String lastProblems = "";
    /** The expression of each backup job that could not be scheduled, once warned about. */
    private final Map<JobKey, String> badSchedules = new ConcurrentHashMap<>();
    /** The backup of each cluster this daemon is taking now, described for the one that has to wait. */
    private final Map<ClusterId, String> backupsRunning = new ConcurrentHashMap<>();
    private Scheduler scheduler;
    private HttpApi http;

    public Daemon(Config config) {
        this(config, NodeShells::open);
    }

    /**
     * @param opener opens the node shells of every run; {@link NodeShells#open} (SSH or local) in production, a
     *               simulated transport in the daemon benchmark
     */
    public Daemon(Config config, Sessions.Opener opener) {
        this.config = config;
        this.opener = opener;
    }

    /** The node shells of one run. */
    Sessions sessions() {
        return new Sessions(config.shellOptions(), opener);
    }

    public Config config() {
        return config;
    }

    /** Starts the scheduler (the fleet job fires at once) and the HTTP server. */
    public synchronized Daemon start() {
        try {
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
            scheduler = new StdSchedulerFactory(p).getScheduler();
            // each daemon owns its scheduler: out of Quartz's JVM-wide registry, so daemons sharing one clustered
            // job store (which must share the scheduler name) can also run in one JVM
            SchedulerRepository.getInstance().remove(config.schedulerName());
            scheduler.getContext().put(CONTEXT_KEY, this);
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
            scheduler.start();
            if (config.http() != null) {
                http = new HttpApi(this, config.http()).start();
            }
            LOG.info("pgrds daemon started: {} at {}, every {} s{}{}", config.repo(),
                    config.ref() == null ? "HEAD" : config.ref(), config.interval().toSeconds(),
                    http == null ? "" : ", HTTP on " + http.address(),
                    config.jobStore().map(j -> ", clustered job store " + j.redactedUrl()).orElse(""));
            return this;
        } catch (SchedulerException e) {
            throw new IllegalStateException("Unable to start the scheduler: " + e.getMessage(), e);
        }
    }

    /** The address HTTP listens on (with the real port when 0 was asked). */
    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(http).map(HttpApi::address);
    }

    public boolean running() {
        try {
            return scheduler != null && scheduler.isStarted() && !scheduler.isShutdown() && !scheduler.isInStandbyMode()
                    && !stopping;
        } catch (SchedulerException e) {
            return false;
        }
    }

    boolean stopping() {
        return stopping;
    }

    /**
     * Stops taking new runs, lets running ones finish the action they are in (the apply stops before the next
     * one), waits for them, then stops HTTP.
     */
    @Override
    public synchronized void close() {
        if (scheduler == null || stopping) {
            return;
        }
        stopping = true;
        LOG.info("pgrds daemon stopping: waiting for running reconciles to reach the end of their current action");
        try {
            scheduler.standby();
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("stopping the scheduler: {}", e.getMessage());
        } finally {
            if (http != null) {
                http.stop();
            }
        }
        LOG.info("pgrds daemon stopped");
    }

    /** The fleet repository at the ref; one read at a time (the cache directory of a remote is shared). */
    Snapshot snapshot() {
        synchronized (gitLock) {
            Snapshot s = GitSource.read(config.repo(), config.ref(), config.cacheDir());
            s.warnings().forEach(w -> LOG.warn("repository: {}", w));
            return s;
        }
    }

    /** Every cluster's status, sorted by id. */
    public List<ClusterStatus> statuses() {
        return statuses.values().stream().sorted(java.util.Comparator.comparing(ClusterStatus::cluster)).toList();
    }

    public Optional<ClusterStatus> status(ClusterId id) {
        return Optional.ofNullable(statuses.get(id));
    }

    ClusterStatus record(Outcomes.Run run) {
        return statuses.compute(run.id(), (k, before) -> Outcomes.status(
                before == null ? ClusterStatus.pending(k) : before, run));
    }

    ClusterStatus reconcile(ClusterId id) {
        if (stopping) {
            return statuses.get(id);
        }
        if (config.jobStore().isEmpty()) {
            // the in-memory store already keeps a job from running twice at once; the lock makes it independent
            // of how Quartz handles a trigger moved to now while acquired
            java.util.concurrent.locks.ReentrantLock lock = runLocks.computeIfAbsent(id,
                    k -> new java.util.concurrent.locks.ReentrantLock());
            lock.lock();
            try {
                return observed(id);
            } finally {
                lock.unlock();
            }
        }
        // Quartz's clustered store alone lets a job that is moved to "now" while another daemon has acquired it
        // run on both (its trigger states are per key, and a blocked check reads one fired-trigger record): a
        // session advisory lock in the job store's database makes a second run wait for the first
        try (JobStores.RunLock lock = JobStores.RunLock.acquire(config.jobStore().get(), id,
                config.interval().plusSeconds(60))) {
            if (lock == null) {
                LOG.info("{}: skipped, a run on another daemon is still going after {} s", id,
                        config.interval().plusSeconds(60).toSeconds());
                return statuses.get(id);
            }
            return observed(id);
        }
    }

    private ClusterStatus observed(ClusterId id) {
        RunObserver o = runObserver;
        o.started(id);
        try {
            return reconciler.run(id);
        } finally {
            o.finished(id);
        }
    }

    /** For tests: told when a cluster's run starts and ends (inside any lock). */
    interface RunObserver {
        void started(ClusterId id);

        void finished(ClusterId id);
    }

    private volatile RunObserver runObserver = new RunObserver() {
        @Override
        public void started(ClusterId id) {
        }

        @Override
        public void finished(ClusterId id) {
        }
    };

    void observeRuns(RunObserver observer) {
        this.runObserver = observer;
    }

    /** Reads the repository and gives each cluster a job, removes the jobs of clusters no longer there. */
    void refreshFleet(boolean triggerAll) throws SchedulerException {
        if (stopping) {
            return;
        }
        FleetLoader.Result loaded;
        try {
            loaded = FleetLoader.load(snapshot());
        } catch (RuntimeException e) {
            // once per change, not every interval; each cluster's run reports it as its Error status
            String why = String.valueOf(e.getMessage());
            if (!why.equals(lastProblems)) {
                LOG.warn("Unable to read the fleet repository: {}; the clusters' jobs are left as they are", why);
                lastProblems = why;
            }
            return;
        }
        String problems = loaded.ok() ? "" : FleetLoader.describe(loaded.problems());
        if (!problems.equals(lastProblems)) {
            // once per change, not every interval; the clusters' own runs report it as their Error status
            if (!problems.isEmpty()) {
                LOG.warn("the repository has invalid files; no cluster's job is removed until they are fixed:\n{}",
                        problems);
            }
            lastProblems = problems;
        }
        Set<ClusterId> wanted = new TreeSet<>();
        loaded.fleet().clusters().stream().map(DesiredCluster::id).forEach(wanted::add);
        Set<JobKey> existing = scheduler.getJobKeys(GroupMatcher.jobGroupEquals(CLUSTERS));
        for (ClusterId id : wanted) {
            JobKey key = JobKey.jobKey(id.toString(), CLUSTERS);
            if (!existing.contains(key)) {
                schedule(id, key);
            }
            statuses.putIfAbsent(id, ClusterStatus.pending(id));
        }
        Map<ClusterId, Map<BackupType, String>> schedules = new java.util.TreeMap<>();
        loaded.fleet().clusters().forEach(c -> c.backup().map(BackupSpec::schedule).filter(s -> !s.isEmpty())
                .ifPresent(s -> schedules.put(c.id(), s)));
        scheduleBackups(schedules, loaded.ok());
        if (loaded.ok()) {
            for (JobKey key : existing) {
                ClusterId id = ClusterId.parse(key.getName());
                if (!wanted.contains(id)) {
                    forget(id);
                    LOG.info("{}: removed from the repository, its job is deleted", id);
                }
            }
        }
        if (triggerAll) {
            for (ClusterId id : wanted) {
                runNow(id);
            }
        }
    }

    private void schedule(ClusterId id, JobKey key) throws SchedulerException {
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
    private void runNow(ClusterId id) throws SchedulerException {
        Trigger now = every(id, new Date());
        if (scheduler.rescheduleJob(now.getKey(), now) == null) {
            try {
                scheduler.scheduleJob(now);
            } catch (ObjectAlreadyExistsException e) {
                // another daemon scheduled it in between
            }
        }
    }

    /** Deletes a cluster's jobs and status. */
    void forget(ClusterId id) {
        statuses.remove(id);
        try {
            for (BackupType type : BackupType.values()) {
                scheduler.deleteJob(backupJob(id, type));
            }
            scheduler.deleteJob(JobKey.jobKey(id.toString(), CLUSTERS));
        } catch (SchedulerException e) {
            LOG.warn("{}: could not delete its job: {}", id, e.getMessage());
        }
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
     * A scheduled backup of one type: what {@code pgrds backup CLUSTER --type TYPE} does; the
     * outcome goes into the status. Not taken, and reported as skipped, when a bigger type is due at the same time
     * ({@link BackupCoincidence}) or a backup of the cluster is still running (here, or pgBackRest's lock).
     *
     * @param scheduled when the trigger was due (Quartz's scheduled fire time)
     */
    void backup(ClusterId id, BackupType type, Instant scheduled) {
        backup(id, type, scheduled, false);
    }

    /**
     * @param afterFailover the full backup {@link #backupAfterFailover} fired: when another backup of the cluster
     *                      is still running, it is tried again a minute later instead of being skipped
     */
    void backup(ClusterId id, BackupType type, Instant scheduled, boolean afterFailover) {
        if (stopping) {
            return;
        }
        Optional<String> givesWay;
        try {
            givesWay = BackupCoincidence.givesWay(type, scheduled, biggerTriggers(id, type));
        } catch (SchedulerException e) {
            givesWay = Optional.empty(); // the job store is unreadable: take the backup rather than miss one
            LOG.warn("{}: could not read the other backup triggers, taking the {} backup: {}", id, type.key(),
                    e.getMessage());
        }
        if (givesWay.isPresent()) {
            skipped(id, type, BackupRuns.Cause.BIGGER_TYPE, givesWay.get());
            return;
        }
        Instant at = Instant.now();
        String mine = "the " + type.key() + " backup started at " + at;
        String running = backupsRunning.putIfAbsent(id, mine);
        if (running != null) {
            skipped(id, type, BackupRuns.Cause.ALREADY_RUNNING, running + " is still running");
            if (afterFailover) {
                retryAfterFailover(id);
            }
            return;
        }
        long t0 = System.nanoTime();
        LastBackup outcome;
        try {
            DesiredCluster c = FleetLoader.loadOrThrow(snapshot()).cluster(id).orElseThrow(
                    () -> new IllegalStateException(id + " is no longer in the repository"));
            try (Sessions sessions = sessions()) {
                Backups.BackupResult r = new Backups(sessions, new Reconciler.LogListener()).backup(c, type.key());
                outcome = new LastBackup(type, at, (System.nanoTime() - t0) / 1_000_000, true, Optional.of(r.node()),
                        r.backup().map(BackupCatalog.Backup::label), Optional.empty());
            }
        } catch (Backups.AlreadyRunning e) {
            skipped(id, type, BackupRuns.Cause.ALREADY_RUNNING, e.getMessage());
            if (afterFailover) {
                retryAfterFailover(id);
            }
            return;
        } catch (RuntimeException e) {
            outcome = new LastBackup(type, at, (System.nanoTime() - t0) / 1_000_000, false, Optional.empty(),
                    Optional.empty(), Optional.of(String.valueOf(e.getMessage())));
        } finally {
            backupsRunning.remove(id, mine);
        }
        LastBackup done = outcome;
        statuses.compute(id, (k, before) -> (before == null ? ClusterStatus.pending(k) : before).withBackup(done));
        if (done.ok()) {
            LOG.info("{}: scheduled {} backup from {}{} ({} ms)", id, type.key(), done.node().orElse("?"),
                    done.label().map(l -> ": " + l).orElse(""), done.millis());
        } else {
            LOG.warn("{}: scheduled {} backup failed ({} ms): {}", id, type.key(), done.millis(),
                    done.message().orElse(""));
        }
    }

    /**
     * After a failover: WAL the lost primary never archived is missing from the archive, so a point-in-time restore
     * across the failover cannot pass it until a full backup is taken after it. With a full backup in
     * {@code backup.schedule}, the daemon fires that job at once (on a Quartz thread, so the cluster's runs go on,
     * and never beside another backup of the cluster); without one it only says so.
     */
    void backupAfterFailover(ClusterId id) {
        JobKey job = backupJob(id, BackupType.FULL);
        try {
            if (!stopping && scheduler.checkExists(job)) {
                scheduler.triggerJob(job, new JobDataMap(java.util.Map.of(AFTER_FAILOVER, "true")));
                LOG.warn("{}: a standby was promoted in place of the lost primary: taking a full backup now, so that "
                        + "restores from here on do not depend on WAL the lost primary never archived", id);
                return;
            }
        } catch (SchedulerException e) {
            LOG.warn("{}: a standby was promoted, but the full backup could not be started: {}", id, e.getMessage());
            return;
        }
        LOG.warn("{}: a standby was promoted in place of the lost primary; backup.schedule has no full backup, so the "
                + "daemon takes none: take one now (pgrds backup {} --type full)", id, id);
    }

    /** The job data that marks the full backup fired after a failover (a string: the JDBC job store keeps strings). */
    static final String AFTER_FAILOVER = "afterFailover";

    /** Fires the full backup after a failover once more, a minute from now (another backup was still running). */
    private void retryAfterFailover(ClusterId id) {
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

    private void skipped(ClusterId id, BackupType type, BackupRuns.Cause cause, String reason) {
        BackupRuns.Skipped skip = new BackupRuns.Skipped(type, Instant.now(), cause, reason);
        statuses.compute(id, (k, before) -> (before == null ? ClusterStatus.pending(k) : before)
                .withSkippedBackup(skip));
        LOG.info("{}: scheduled {} backup skipped, {}", id, type.key(), reason);
    }

    /** The fire times of the triggers of the cluster's types bigger than {@code type}. */
    private Map<BackupType, BackupCoincidence.Fires> biggerTriggers(ClusterId id, BackupType type)
            throws SchedulerException {
        Map<BackupType, BackupCoincidence.Fires> out = new java.util.EnumMap<>(BackupType.class);
        for (BackupType b : type.bigger()) {
            JobKey job = backupJob(id, b);
            Trigger t = scheduler.getTrigger(org.quartz.TriggerKey.triggerKey(job.getName(), job.getGroup()));
            if (t != null) {
                out.put(b, new BackupCoincidence.Fires(Optional.ofNullable(t.getPreviousFireTime()).map(Date::toInstant),
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
