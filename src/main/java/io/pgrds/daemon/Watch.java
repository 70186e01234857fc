package io.pgrds.daemon;

import io.pgrds.app.ApplySettings;
import io.pgrds.app.FailoverService;
import io.pgrds.app.ObserveSettings;
import io.pgrds.app.PlanService;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.PrimaryHealth;
import io.pgrds.plan.Confirmations;
import io.pgrds.transport.Sessions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watch of one cluster's primary: a health check every {@code healthInterval} over connections kept open; after
 * {@code failoverAfter} of failed checks, a recovery ({@link FailoverService}): the server started again where its
 * host answers, else a failover when it is safe, else nothing and an alert. One tick at a time (a single scheduled
 * task); the state is read by /status from other threads.
 */
final class Watch {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** Three crashes in this long are a crash loop: the next is failed over from, not restarted. */
    static final Duration CRASH_LOOP = Duration.ofMinutes(5);

    private final Daemon daemon;
    private final ClusterId id;
    private volatile DesiredFleet fleet;
    private volatile DesiredCluster desired;
    private PrimaryHealth health;
    private Instant failingSince;
    private Instant nextRecovery = Instant.MIN;
    private Instant nextIdentify = Instant.MIN;
    private Map<String, Long> lastLag = Map.of();
    private final Deque<Instant> restarts = new ArrayDeque<>();
    private String startNode;
    private Instant lastStart;
    private volatile WatchState state;

    Watch(Daemon daemon, DesiredFleet fleet, DesiredCluster desired) {
        this.daemon = daemon;
        this.id = desired.id();
        this.fleet = fleet;
        this.desired = desired;
        this.state = new WatchState("no-primary", Optional.empty(), Optional.empty(), 0, 0, Optional.empty(),
                Optional.empty());
    }

    ClusterId id() {
        return id;
    }

    DesiredCluster desired() {
        return desired;
    }

    WatchState state() {
        return state;
    }

    /** The repository changed: the next check uses the new file (a new primary pin or timing takes effect). */
    void update(DesiredFleet fleet, DesiredCluster desired) {
        this.fleet = fleet;
        this.desired = desired;
    }

    /** One health interval: hold the watch, check the primary, recover it when it is lost. Never throws. */
    synchronized void tick(WatchLocks locks) {
        try {
            if (daemon.stopping()) {
                return;
            }
            if (!locks.hold(id)) {
                closeHealth();
                state = new WatchState("elsewhere", Optional.empty(), Optional.empty(), 0, state.failovers(),
                        state.lastFailover(), Optional.of("another daemon watches " + id));
                return;
            }
            if (health == null && !identify()) {
                return;
            }
            Instant now = Instant.now();
            PrimaryHealth.Check c = health.check();
            if (c.ok()) {
                if (failingSince != null) {
                    LOG.info("{}: {} answers again after {} ms", id, health.node().name(),
                            Duration.between(failingSince, now).toMillis());
                }
                failingSince = null;
                lastLag = c.lagBytes();
                noteStart(health.node().name(), c.startedAt(), now);
                state = new WatchState("watching", Optional.of(health.node().name()), Optional.of(now), 0,
                        state.failovers(), state.lastFailover(), state.message());
                return;
            }
            if (failingSince == null) {
                failingSince = now;
                LOG.warn("{}: the health check of the primary {} failed: {}", id, health.node().name(),
                        c.error().orElse("?"));
            }
            long failing = Duration.between(failingSince, now).toMillis();
            state = new WatchState("failing", Optional.of(health.node().name()), Optional.of(now), failing,
                    state.failovers(), state.lastFailover(), c.error());
            if (failing >= desired.failover().failoverAfter().toMillis() && !now.isBefore(nextRecovery)) {
                recover(now, failing);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: the watch failed: {}", id, e.getMessage());
            LOG.debug("{}: the watch failed", id, e);
        }
    }

    /** Finds the primary to watch: the one running as primary, else the one the markers name (it may be down). */
    private boolean identify() {
        Instant now = Instant.now();
        if (now.isBefore(nextIdentify)) {
            return false;
        }
        nextIdentify = now.plus(Duration.ofSeconds(5));
        ObservedCluster observed;
        try (Sessions sessions = daemon.sessions()) {
            observed = new PlanService(sessions, settings()).observe(fleet, desired);
        }
        Optional<String> primary = observed.nodes().stream().filter(n -> n.state() == NodeState.PRIMARY
                && n.running() && desired.node(n.name()).isPresent()).map(ObservedNode::name).findFirst()
                .or(() -> observed.nodes().stream().flatMap(n -> n.marker().stream()).flatMap(m -> m.primary()
                        .stream()).filter(p -> desired.node(p).isPresent()).findFirst());
        if (primary.isEmpty()) {
            state = new WatchState("no-primary", Optional.empty(), Optional.of(now), 0, state.failovers(),
                    state.lastFailover(), Optional.of("no primary of " + id + " to watch yet"));
            return false;
        }
        NodeSpec node = desired.node(primary.get()).orElseThrow();
        health = new PrimaryHealth(desired, node, daemon.config().shellOptions(), daemon.opener(),
                desired.failover().healthInterval());
        LOG.info("{}: watching the primary {} every {} ms (failover after {} ms of failed checks)", id, node.name(),
                desired.failover().healthInterval().toMillis(), desired.failover().failoverAfter().toMillis());
        return true;
    }

    private void recover(Instant now, long failing) {
        String lost = health.node().name();
        pruneRestarts(now);
        boolean crashLoop = restarts.size() >= 2; // this would be the third restart within CRASH_LOOP
        Duration interval = desired.failover().healthInterval();
        Duration after = desired.failover().failoverAfter();
        Confirmations.Lost told = new Confirmations.Lost(lost, failing, after.minus(interval).toMillis());
        state = new WatchState("recovering", Optional.of(lost), Optional.of(now), failing, state.failovers(),
                state.lastFailover(), Optional.of(lost + " lost after " + failing + " ms of failed checks"));
        LOG.warn("{}: the primary {} answered no health check for {} ms: recovering{}", id, lost, failing,
                crashLoop ? " (a crash loop: it is kept stopped and failed over from)" : "");
        FailoverService.Outcome o;
        try (Sessions sessions = daemon.sessions()) {
            o = new FailoverService(sessions, settings(), new Reconciler.LogListener(), ApplySettings.daemon(
                    daemon.config().lockTimeout(), daemon.config().host())).recover(fleet, desired, told, crashLoop,
                    lastLag, daemon::stopping);
        }
        Instant done = Instant.now();
        switch (o.result()) {
            case FAILED_OVER -> {
                long writable = Duration.between(failingSince, done).toMillis();
                WatchState.Failover f = new WatchState.Failover(lost, o.primary().orElse("?"), done, writable);
                LOG.warn("{} (writes were down about {} ms as the watch saw it)", o.sentence(), writable);
                daemon.failedOver(id, f);
                state = new WatchState("watching", o.primary(), Optional.of(done), 0, state.failovers() + 1,
                        Optional.of(f), Optional.of(o.sentence()));
                restarts.clear();
                reset();
            }
            case RESTARTED -> {
                LOG.warn("{}", o.sentence());
                restarts.addLast(done);
                lastStart = null; // the next check takes its new start time as the baseline, not as another restart
                state = new WatchState("watching", Optional.of(lost), Optional.of(done), 0, state.failovers(),
                        state.lastFailover(), Optional.of(o.sentence()));
                reset();
            }
            case RECOVERED -> {
                LOG.info("{}", o.sentence());
                reset();
            }
            default -> {
                // vetoed, refused or failed: said once per incident, tried again after another failoverAfter
                if (!state.message().equals(Optional.of(o.sentence()))) {
                    LOG.error("{}", o.sentence());
                }
                state = new WatchState("failing", Optional.of(lost), Optional.of(done), failing, state.failovers(),
                        state.lastFailover(), Optional.of(o.sentence()));
                nextRecovery = done.plus(after);
            }
        }
    }

    /**
     * Counts restarts of the watched server, whoever made them (this watch, a regular run, a person): its start time
     * changed between two checks that succeeded. Three within {@link #CRASH_LOOP} make the next loss a crash loop.
     */
    private void noteStart(String node, Optional<Instant> startedAt, Instant now) {
        if (startedAt.isEmpty()) {
            return;
        }
        if (node.equals(startNode) && lastStart != null && !lastStart.equals(startedAt.get())) {
            restarts.addLast(now);
            pruneRestarts(now);
        }
        startNode = node;
        lastStart = startedAt.get();
    }

    /** Looks for the primary afresh at the next tick (after a recovery it may be another node). */
    private void reset() {
        failingSince = null;
        nextRecovery = Instant.MIN;
        nextIdentify = Instant.MIN;
        closeHealth();
    }

    private void pruneRestarts(Instant now) {
        while (!restarts.isEmpty() && restarts.peekFirst().isBefore(now.minus(CRASH_LOOP))) {
            restarts.removeFirst();
        }
    }

    private ObserveSettings settings() {
        return new ObserveSettings(daemon.config().parallel(), daemon.config().observeDeadline());
    }

    synchronized void closeHealth() {
        if (health != null) {
            health.close();
            health = null;
        }
    }
}
