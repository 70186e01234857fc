package io.pgrds.desired;

import java.time.Duration;

/**
 * {@code reconcile.failover} and its timing: who replaces a primary that is gone.
 *
 * @param automatic      the daemon watches the primary and fails over on its own ({@code automatic}); otherwise a
 *                       person does, through the file or {@code --fenced} ({@code manual}, the default)
 * @param healthInterval how often the watching daemon checks the primary
 * @param failoverAfter  how long the primary must fail every check before it is declared lost
 * @param maxLagBytes    with async durability: a standby further behind than this on the last check before the
 *                       primary was lost is not promoted automatically (what it lacks would be lost)
 */
public record FailoverSpec(boolean automatic, Duration healthInterval, Duration failoverAfter, long maxLagBytes) {
    public static final FailoverSpec MANUAL = new FailoverSpec(false, Duration.ofSeconds(1), Duration.ofSeconds(4),
            16L * 1024 * 1024);
}
