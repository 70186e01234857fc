package io.pgrds.daemon;

import io.pgrds.app.ApplyService;
import io.pgrds.app.BackupService;
import io.pgrds.app.ApplySettings;
import io.pgrds.app.ObserveSettings;
import io.pgrds.app.PlanService;
import io.pgrds.apply.ApplyListener;
import io.pgrds.apply.ApplyOutcome;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReplicationPeer;
import io.pgrds.plan.Action;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.Confirmations;
import io.pgrds.transport.Sessions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of one cluster, as a chain of named steps: read the ref, load the fleet, observe the cluster, plan,
 * cut the plan by the policy, apply the allowed prefix. Every run ends in one logged sentence.
 */
final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /** How often a run reads the backup repository's catalog. */
    static final Duration CATALOG_EVERY = Duration.ofMinutes(5);

    private final Daemon daemon;

    Reconciler(Daemon daemon) {
        this.daemon = daemon;
    }


    ClusterStatus run(ClusterId id) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Optional<String> commit = Optional.empty();
        Optional<ReconcilePolicy> policy = Optional.empty();
        Outcomes.Run run;
        try {
            DesiredFleet fleet = FleetLoader.loadOrThrow(daemon.snapshot());
            commit = fleet.commit();
            Optional<DesiredCluster> found = fleet.cluster(id);
            if (found.isEmpty()) {
                daemon.forget(id);
                LOG.info("{}: removed from the repository, its job is deleted{}", id,
                        commit.map(c -> ", commit " + Outcomes.shortCommit(c)).orElse(""));
                return null;
            }
            DesiredCluster desired = found.get();
            policy = Optional.of(desired.policy());
            run = reconcile(fleet, desired, commit, started, t0);
        } catch (RuntimeException e) {
            run = Outcomes.Run.failed(id, policy, commit, String.valueOf(e.getMessage()), started, millisSince(t0));
            LOG.debug("{}: run failed", id, e);
        }
        List<String> before = daemon.status(id).map(ClusterStatus::warnings).orElse(List.of());
        List<String> dangerBefore = daemon.status(id).map(ClusterStatus::dangers).orElse(List.of());
        ClusterStatus status = daemon.record(run);
        LOG.info(status.sentence());
        Optional<ReconcilePolicy> policyNow = policy;
        // DANGER is logged at ERROR when it appears or changes, and once more when it is gone
        if (!status.dangers().equals(dangerBefore)) {
            status.dangers().stream().filter(d -> !dangerBefore.contains(d)).forEach(d -> LOG.error("{}: {} (policy {}"
                    + ": {})", id, d, policyNow.map(p -> p.name().toLowerCase(java.util.Locale.ROOT)).orElse("?"),
                    policyNow.filter(p -> p == ReconcilePolicy.OBSERVE).isPresent() ? "pgrds changes nothing; stop the "
                    + "stale one, or apply" : "the plan could not stop it: see the refusal"));
            if (status.dangers().isEmpty()) {
                LOG.info("{}: no danger any more", id);
            }
        }
        // a warning is logged when it appears or changes, not on every run: the log is read by people
        if (!status.warnings().equals(before)) {
            status.warnings().stream().filter(w -> !before.contains(w)).forEach(w -> LOG.warn("{}: {}", id, w));
            if (status.warnings().isEmpty()) {
                LOG.info("{}: no warnings any more", id);
            }
        }
        return status;
    }

    private Outcomes.Run reconcile(DesiredFleet fleet, DesiredCluster desired, Optional<String> commit,
                                   Instant started, long t0) {
        ClusterId id = desired.id();
        Daemon.Config config = daemon.config();
        try (Sessions sessions = daemon.sessions()) {
            PlanService plans = new PlanService(sessions, new ObserveSettings(config.parallel(),
                    config.observeDeadline()));
            ObservedCluster observed = plans.observe(fleet, desired);
            ClusterPlan plan = plans.plan(desired, observed, Confirmations.DAEMON);
            boolean watched = desired.failover().automatic() && config.jobStore().isPresent();
            boolean left = !plan.refused() && Policy.leftToTheWatch(watched, observed, plan);
            if (left) {
                LOG.info("{}: its primary's server is down: left to the watch (failover: automatic), this run applies "
                        + "nothing", id);
            }
            Policy.Split split = plan.refused() || left ? new Policy.Split(List.of(), plan.refused() ? List.of()
                    : plan.actions()) : Policy.split(desired.policy(), plan);
            int applied = 0;
            boolean stopped = false;
            Optional<String> error = Optional.empty();
            if (!split.apply().isEmpty()) {
                ApplyService apply = new ApplyService(sessions, new LogListener(), ApplySettings.daemon(
                        config.lockTimeout(), config.host()), plans);
                try {
                    // the allowed prefix only: the executor never sees the held-back actions, and under the lock it
                    // observes and plans again, cut by the same policy, and applies only when that prefix is the one
                    // decided here. SIGTERM ends the apply between two actions, never inside one
                    ApplyOutcome outcome = apply.apply(fleet, desired, observed, plan, Confirmations.DAEMON,
                            p -> prefix(desired, p), daemon::stopping);
                    applied = outcome.applied().size();
                    stopped = outcome.stopped();
                    error = outcome.ok() ? Optional.empty() : Optional.of(outcome.message());
                    if (outcome.promoted() && desired.backup().isPresent()) {
                        daemon.backups().afterFailover(id);
                    }
                } catch (RuntimeException e) {
                    error = Optional.of(String.valueOf(e.getMessage()));
                }
            }
            // after changes, show the nodes as they are now, not as they were before the apply
            ObservedCluster now = applied > 0 && !daemon.stopping() ? plans.observe(fleet, desired) : observed;
            // DANGER is what is dangerous after this run: a stale primary this run stopped is no danger any more
            List<String> dangers = now == observed ? plan.dangers() : plans.dangers(desired, now);
            long millis = millisSince(t0);
            Figures figures = Figures.of(now).withRepository(catalog(desired, sessions));
            return new Outcomes.Run(id, Optional.of(desired.policy()), commit, Optional.of(plan), split,
                    applied, stopped, error, states(now), lag(now), started, millis, dangers, figures);
        }
    }

    /**
     * The backups as the repository lists them, read at most every {@link #CATALOG_EVERY} (and after every scheduled
     * backup, by {@link BackupRunner}): empty when the cluster has no {@code backup:}, or the last reading is recent.
     * A failed read is data, never the run's error.
     */
    private Optional<Figures.Repository> catalog(DesiredCluster desired, Sessions sessions) {
        if (desired.backup().isEmpty() || daemon.stopping()) {
            return Optional.empty();
        }
        Optional<Figures.Repository> before = daemon.status(desired.id()).flatMap(s -> s.figures().repository());
        Instant now = Instant.now();
        if (before.filter(r -> r.checkedAt().isAfter(now.minus(CATALOG_EVERY))).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(readCatalog(daemon, desired, sessions, before));
    }

    /** Reads the catalog now; a failure keeps the figures of {@code before} with the reason. */
    static Figures.Repository readCatalog(Daemon daemon, DesiredCluster desired, Sessions sessions,
                                          Optional<Figures.Repository> before) {
        Daemon.Config config = daemon.config();
        try {
            BackupCatalog c = new BackupService(sessions, new ObserveSettings(config.parallel(),
                    config.observeDeadline()), ApplyListener.NONE).list(desired);
            return Figures.Repository.of(c, Instant.now());
        } catch (RuntimeException e) {
            LOG.debug("{}: could not read the backup catalog", desired.id(), e);
            return Figures.Repository.failed(before, oneLine(String.valueOf(e.getMessage())), Instant.now());
        }
    }

    private static String oneLine(String s) {
        return s.strip().lines().findFirst().orElse("");
    }

    /** The part of a plan the cluster's policy lets the daemon apply: the allowed prefix (a refused plan as it is). */
    static ClusterPlan prefix(DesiredCluster desired, ClusterPlan plan) {
        if (plan.refused()) {
            return plan;
        }
        Policy.Split split = Policy.split(desired.policy(), plan);
        return new ClusterPlan(plan.id(), split.apply(), List.of(), plan.warnings(), plan.decision(),
                plan.dangers(), plan.startStop());
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static SortedMap<String, String> states(ObservedCluster observed) {
        SortedMap<String, String> out = new TreeMap<>();
        observed.nodes().forEach(n -> out.put(n.name(), n.state().name()));
        return out;
    }

    /** Per standby, the bytes it has yet to replay, as a running primary reports them. */
    static SortedMap<String, Long> lag(ObservedCluster observed) {
        SortedMap<String, Long> out = new TreeMap<>();
        for (ObservedNode n : observed.nodes()) {
            if (n.state() == NodeState.PRIMARY && n.running() && n.sql().isPresent()) {
                for (ReplicationPeer p : n.sql().get().replication()) {
                    out.put(p.applicationName(), p.lagBytes());
                }
            }
        }
        return out;
    }

    /** Logs the executor's events, at INFO for actions and DEBUG for their progress. */
    static final class LogListener implements ApplyListener {
        private static final Logger APPLY = LoggerFactory.getLogger("io.pgrds.daemon.apply");

        @Override
        public void actionStarted(ClusterId cluster, Action action) {
            APPLY.info("{}: {} {} …", cluster, action.kind().symbol().text(), action.describe());
        }

        @Override
        public void actionFinished(ClusterId cluster, Action action, Duration took) {
            APPLY.info("{}: done {} ({} ms)", cluster, action.describe(), took.toMillis());
        }

        @Override
        public void actionFailed(ClusterId cluster, Action action, Duration took, String why) {
            APPLY.warn("{}: failed {} ({} ms): {}", cluster, action.describe(), took.toMillis(), why);
        }

        @Override
        public void progress(ClusterId cluster, String node, String message) {
            APPLY.debug("{}: {}: {}", cluster, node, message);
        }

        @Override
        public void notice(ClusterId cluster, String message) {
            // the first line only: a new cluster's notice carries its admin password on the next lines
            APPLY.info("{}: {}", cluster, message.strip().lines().findFirst().orElse(""));
        }
    }
}
