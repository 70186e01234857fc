package io.pgrds.apply;

import io.pgrds.desired.ClusterId;
import io.pgrds.util.Units;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Progress of a long copy into a node's data directory (pg_basebackup, a restore): every ten seconds the size
 * of the directory so far, against the expected total, through the listener. Runs on its own SSH channel.
 */
final class Progress implements AutoCloseable {
    /** Often enough for a person watching a long copy; rarely enough that {@code du} does not slow the copy. */
    static final long INTERVAL_SECONDS = 10;

    private final ScheduledExecutorService timer;

    private Progress(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    static Progress watch(NodeOps node, long total, ClusterId cluster, ApplyListener listener, boolean dryRun) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgrds-progress");
            t.setDaemon(true);
            return t;
        });
        if (!dryRun) {
            timer.scheduleWithFixedDelay(() -> {
                try {
                    var r = node.check(List.of("du", "-sb", node.node().dataDirectory()));
                    if (r.ok()) {
                        long done = Long.parseLong(r.stdout().strip().split("\\s+")[0]);
                        listener.progress(cluster, node.node().name(), "copied " + Units.bytes(done)
                                + (total > 0 ? " of about " + Units.bytes(total) + " (" + Math.min(99, done * 100
                                / total) + "%)" : ""));
                    }
                } catch (RuntimeException e) {
                    // progress is a courtesy: never let it disturb the copy
                }
            }, INTERVAL_SECONDS, INTERVAL_SECONDS, TimeUnit.SECONDS);
        }
        return new Progress(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
