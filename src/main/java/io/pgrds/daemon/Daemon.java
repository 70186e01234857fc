package io.pgrds.daemon;

import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
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
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.quartz.JobKey;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile daemon's lifecycle and state. Its parts: {@link Schedules} (the Quartz jobs: the fleet, one per
 * cluster, one per backup type), {@link Reconciler} (one run of one cluster, over the application layer),
 * {@link BackupRunner} (scheduled backups), {@link HttpApi} (status, metrics, the git webhook). Never two runs of one
 * cluster at once; {@link #close()} stops between actions and waits for running jobs.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

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
    private final StatusStore statuses;
    private final Metrics metrics;
    private final Reconciler reconciler = new Reconciler(this);
    private final BackupRunner backups = new BackupRunner(this);
    private final Object gitLock = new Object();
    private final Map<ClusterId, ReentrantLock> runLocks = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile String lastProblems = "";
    private Schedules schedules;
    private Watcher watcher;
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
        this.statuses = config.jobStore().<StatusStore>map(j -> new StatusTable(j, config.schedulerName(),
                config.host())).orElseGet(StatusStore.Memory::new);
        this.metrics = new Metrics(this::metricsView);
    }

    /** What /metrics renders the clusters from: the same status as /status. */
    Metrics.View metricsView() {
        List<ClusterStatus> all = statuses();
        return new Metrics.View(all, running(), watches(), storeUp());
    }

    Metrics metrics() {
        return metrics;
    }

    /** False while the shared job store's status table cannot be read or written. */
    boolean storeUp() {
        return !(statuses instanceof StatusTable t) || t.ok();
    }

    /** Where the status comes from: {@code job_store} (shared by every daemon on it) or {@code memory}. */
    String statusSource() {
        return statuses instanceof StatusTable ? "job_store" : "memory";
    }

    /** The node shells of one run. */
    Sessions sessions() {
        return new Sessions(config.shellOptions(), opener);
    }

    Sessions.Opener opener() {
        return opener;
    }

    public Config config() {
        return config;
    }

    Schedules schedules() {
        return schedules;
    }

    BackupRunner backups() {
        return backups;
    }

    /** Starts the scheduler (the fleet job fires at once) and the HTTP server. */
    public synchronized Daemon start() {
        // the port first: a busy one is an error before anything runs
        HttpApi api = config.http() == null ? null : new HttpApi(this, config.http());
        try {
            schedules = Schedules.create(this, config);
            watcher = new Watcher(this);
            schedules.scheduler().start();
            watcher.start(this::refreshWatches);
        } catch (SchedulerException e) {
            throw new IllegalStateException("Unable to start the scheduler: " + e.getMessage(), e);
        }
        if (api != null) {
            http = api.start();
        }
        LOG.info("pgrds daemon started: {} at {}, every {} s{}{}", config.repo(),
                config.ref() == null ? "HEAD" : config.ref(), config.interval().toSeconds(),
                http == null ? "" : ", HTTP on " + http.address(),
                config.jobStore().map(j -> ", clustered job store " + j.redactedUrl()).orElse(""));
        return this;
    }

    /** The address HTTP listens on (with the real port when 0 was asked). */
    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(http).map(HttpApi::address);
    }

    public boolean running() {
        return schedules != null && schedules.running() && !stopping;
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
        if (schedules == null || stopping) {
            return;
        }
        stopping = true;
        LOG.info("pgrds daemon stopping: waiting for running reconciles to reach the end of their current action");
        try {
            watcher.close();
            schedules.scheduler().standby();
            schedules.scheduler().shutdown(true);
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

    /** Every cluster's status, sorted by id; with a shared job store, as every daemon on it has it. */
    public List<ClusterStatus> statuses() {
        return statuses.all();
    }

    public Optional<ClusterStatus> status(ClusterId id) {
        return statuses.get(id);
    }

    ClusterStatus record(Outcomes.Run run) {
        ClusterStatus s = statuses.update(run.id(), before -> Outcomes.status(before, run)
                .withLastRunBy(config.host()));
        metrics.ran(s);
        return s;
    }

    /** A new reading of the cluster's backup repository. */
    void recordRepository(ClusterId id, Figures.Repository repository) {
        statuses.update(id, before -> before.withRepository(repository));
    }

    /** The watch states of the clusters with automatic failover. */
    public Map<ClusterId, WatchState> watches() {
        return watcher == null ? Map.of() : watcher.states();
    }

    /** A watch failed over: a full backup follows, as after every failover. */
    void failedOver(ClusterId id, WatchState.Failover f) {
        backups.afterFailover(id);
    }

    void recordBackup(ClusterId id, LastBackup done) {
        statuses.update(id, before -> before.withBackup(done));
    }

    void recordSkippedBackup(ClusterId id, BackupRuns.Skipped skip) {
        statuses.update(id, before -> before.withSkippedBackup(skip));
    }

    ClusterStatus reconcile(ClusterId id) {
        if (stopping) {
            return statuses.get(id).orElse(null);
        }
        if (config.jobStore().isEmpty()) {
            // the in-memory store already keeps a job from running twice at once; the lock makes it independent
            // of how Quartz handles a trigger moved to now while acquired
            ReentrantLock lock = runLocks.computeIfAbsent(id, k -> new ReentrantLock());
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
                return statuses.get(id).orElse(null);
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
        Optional<FleetLoader.Result> read = readFleet();
        if (read.isEmpty()) {
            return;
        }
        FleetLoader.Result loaded = read.get();
        Set<ClusterId> wanted = new TreeSet<>();
        loaded.fleet().clusters().stream().map(DesiredCluster::id).forEach(wanted::add);
        Set<JobKey> existing = schedules.clusterKeys();
        for (ClusterId id : wanted) {
            JobKey key = JobKey.jobKey(id.toString(), Schedules.CLUSTERS);
            if (!existing.contains(key)) {
                schedules.schedule(id, key);
            }
            statuses.add(id);
        }
        Map<ClusterId, Map<BackupType, String>> wantedBackups = new java.util.TreeMap<>();
        loaded.fleet().clusters().forEach(c -> c.backup().map(BackupSpec::schedule).filter(s -> !s.isEmpty())
                .ifPresent(s -> wantedBackups.put(c.id(), s)));
        schedules.scheduleBackups(wantedBackups, loaded.ok());
        if (loaded.ok()) {
            watcher.sync(loaded.fleet());
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
                schedules.runNow(id);
            }
        }
    }

    /**
     * The fleet as the repository has it now; empty when the repository cannot be read. Problems are logged once
     * per change, not every interval: each cluster's run reports them as its Error status.
     */
    private Optional<FleetLoader.Result> readFleet() {
        FleetLoader.Result loaded;
        try {
            loaded = FleetLoader.load(snapshot());
        } catch (RuntimeException e) {
            String why = String.valueOf(e.getMessage());
            if (!why.equals(lastProblems)) {
                LOG.warn("Unable to read the fleet repository: {}; the clusters' jobs are left as they are", why);
                lastProblems = why;
            }
            return Optional.empty();
        }
        String problems = loaded.ok() ? "" : FleetLoader.describe(loaded.problems());
        if (!problems.equals(lastProblems)) {
            if (!problems.isEmpty()) {
                LOG.warn("the repository has invalid files; no cluster's job is removed until they are fixed:\n{}",
                        problems);
            }
            lastProblems = problems;
        }
        return Optional.of(loaded);
    }

    /**
     * Reads the repository for the watches alone. With the clustered job store the fleet job runs on one daemon of
     * the cluster, but every daemon must know the clusters to watch, so that one takes the watch over when the
     * daemon holding it dies.
     */
    void refreshWatches() {
        if (!stopping) {
            readFleet().filter(FleetLoader.Result::ok).ifPresent(l -> watcher.sync(l.fleet()));
        }
    }

    /** Deletes a cluster's jobs and status. */
    void forget(ClusterId id) {
        statuses.remove(id);
        try {
            schedules.forget(id);
        } catch (SchedulerException e) {
            LOG.warn("{}: could not delete its job: {}", id, e.getMessage());
        }
    }

    /** A scheduled backup of one type (see {@link BackupRunner#backup}). */
    void backup(ClusterId id, BackupType type, Instant scheduled) {
        backups.backup(id, type, scheduled, false);
    }

    /** A push arrived: read the repository now and run every cluster (also the new ones) once. */
    void triggerAll() throws SchedulerException {
        schedules.triggerAll();
    }

    /** The cron expression of a cluster's backup trigger of one type, if it has one. */
    Optional<String> backupSchedule(ClusterId id, BackupType type) throws SchedulerException {
        return schedules.backupSchedule(id, type);
    }

    Collection<String> clusterJobs() throws SchedulerException {
        return schedules.clusterJobs();
    }
}
