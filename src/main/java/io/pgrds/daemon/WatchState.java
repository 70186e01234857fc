package io.pgrds.daemon;

import java.time.Instant;
import java.util.Optional;

/**
 * What the daemon's watch of one cluster with {@code failover: automatic} looks like now, for /status and /metrics.
 *
 * @param state          {@code watching}, {@code elsewhere} (another daemon holds the watch), {@code unwatched} (this
 *                       daemon cannot watch: the message says why), {@code no-primary} (none found to watch yet),
 *                       {@code failing} (the primary fails its checks), {@code recovering}
 * @param primary        the node watched
 * @param lastCheckAt    the last health check
 * @param failingMillis  how long the primary has failed every check (0 when it answers)
 * @param failovers      failovers this daemon made since it started
 * @param lastFailover   the last one
 * @param message        the last thing worth saying: why not watched, a veto, a refusal, a failover
 */
public record WatchState(String state, Optional<String> primary, Optional<Instant> lastCheckAt, long failingMillis,
                         long failovers, Optional<Failover> lastFailover, Optional<String> message) {
    /**
     * One failover: from which node to which, when, and how long writes were down as the watch measures it (from the
     * first failed health check to the new primary accepting writes).
     */
    public record Failover(String from, String to, Instant at, long writableAfterMillis) {
    }

    static WatchState unwatched(String why) {
        return new WatchState("unwatched", Optional.empty(), Optional.empty(), 0, 0, Optional.empty(),
                Optional.of(why));
    }
}
