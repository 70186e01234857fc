package io.pgrds.daemon;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watches of the clusters with {@code reconcile.failover: automatic}, one task each on a small pool. Only with the
 * clustered job store: it decides which daemon watches which cluster (exactly one at a time, another within a health
 * interval when that one dies). Without it this daemon watches nothing, and says so — it cannot know whether
 * another daemon watches the same cluster, and two would fail over twice.
 */
final class Watcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    static final String NO_JOB_STORE = "not watched: automatic failover needs the daemon's clustered job store "
            + "(--job-store), which makes sure exactly one daemon watches a cluster; without it no failover is made "
            + "automatically";

    private final Daemon daemon;
    private final Optional<WatchLocks> locks;
    private final ScheduledExecutorService pool;
    private final Map<ClusterId, Watch> watches = new ConcurrentHashMap<>();
    private final Map<ClusterId, ScheduledFuture<?>> tasks = new ConcurrentHashMap<>();
    private final Map<ClusterId, String> unwatched = new ConcurrentHashMap<>();

    Watcher(Daemon daemon) {
        this.daemon = daemon;
        this.locks = daemon.config().jobStore().map(WatchLocks::new);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newScheduledThreadPool(Math.max(2, daemon.config().threads()), r -> {
            Thread t = new Thread(r, "pgrds-watch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * With the clustered job store, reads the fleet for the watches on this daemon's own schedule (at once, then
     * every interval, at most every 30 s): the fleet job runs on only one daemon of the cluster.
     */
    void start(Runnable refresh) {
        if (locks.isPresent()) {
            long every = Math.min(daemon.config().interval().toMillis(), 30_000);
            pool.scheduleWithFixedDelay(() -> {
                try {
                    refresh.run();
                } catch (RuntimeException e) {
                    LOG.warn("reading the fleet for the watches failed: {}", e.getMessage());
                }
            }, 0, every, TimeUnit.MILLISECONDS);
        }
    }

    /** The fleet as the repository has it now: watch the clusters that want it, stop watching the others. */
    synchronized void sync(DesiredFleet fleet) {
        Map<ClusterId, DesiredCluster> wanted = new TreeMap<>();
        fleet.clusters().stream().filter(c -> c.failover().automatic()).forEach(c -> wanted.put(c.id(), c));
        for (ClusterId id : watches.keySet()) {
            if (!wanted.containsKey(id)) {
                stop(id);
                LOG.info("{}: failover is no longer automatic, or the cluster is gone: not watched any more", id);
            }
        }
        unwatched.keySet().removeIf(id -> !wanted.containsKey(id));
        for (DesiredCluster c : wanted.values()) {
            if (locks.isEmpty()) {
                if (unwatched.put(c.id(), NO_JOB_STORE) == null) {
                    LOG.warn("{}: failover: automatic, but {}", c.id(), NO_JOB_STORE);
                }
                continue;
            }
            Watch w = watches.get(c.id());
            if (w != null && w.desired().failover().equals(c.failover())) {
                w.update(fleet, c);
                continue;
            }
            if (w != null) {
                stop(c.id());
            }
            Watch watch = new Watch(daemon, fleet, c);
            watches.put(c.id(), watch);
            long every = c.failover().healthInterval().toMillis();
            tasks.put(c.id(), pool.scheduleWithFixedDelay(() -> watch.tick(locks.get()), 0, every,
                    TimeUnit.MILLISECONDS));
        }
    }

    private void stop(ClusterId id) {
        ScheduledFuture<?> t = tasks.remove(id);
        if (t != null) {
            t.cancel(false);
        }
        Watch w = watches.remove(id);
        if (w != null) {
            pool.execute(w::closeHealth);
        }
        locks.ifPresent(l -> l.release(id));
    }

    /** Every watched (or unwatchable) cluster's watch state. */
    Map<ClusterId, WatchState> states() {
        Map<ClusterId, WatchState> out = new TreeMap<>();
        unwatched.forEach((id, why) -> out.put(id, WatchState.unwatched(why)));
        watches.forEach((id, w) -> out.put(id, w.state()));
        return out;
    }

    @Override
    public void close() {
        tasks.values().forEach(t -> t.cancel(false));
        pool.shutdown();
        try {
            if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
        watches.values().forEach(Watch::closeHealth);
        locks.ifPresent(WatchLocks::close);
    }
}
