package io.pgrds.app;

import java.time.Duration;

/**
 * How nodes are observed.
 *
 * @param parallel at most this many nodes at once
 * @param deadline for one node; a node that does not answer in time is UNKNOWN
 */
public record ObserveSettings(int parallel, Duration deadline) {
    public ObserveSettings {
        parallel = Math.max(1, parallel);
    }
}
