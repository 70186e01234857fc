package io.pgrds.daemon;

import io.pgrds.desired.BackupType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Two backup types of one cluster due at once (a full and a diff at 03:00 on Sunday; an hourly incr at 03:00):
 * only the biggest is taken, full &gt; diff &gt; incr, since pgBackRest would otherwise run them back to back and
 * the smaller one would copy next to nothing. Each type keeps its own trigger; the smaller one's run gives way.
 * Pure: the daemon passes the fire times it reads from the bigger types' triggers.
 *
 * <p>A run of type T scheduled for S gives way to a bigger type B of the same cluster when B's trigger
 * <ul>
 *   <li>is due: its next fire time is earlier than S + 1 minute (the same slot, not fired yet; or overdue, as after
 *       a time without any daemon, when both were missed and both fire once at the start), or</li>
 *   <li>has just fired: its previous fire time is later than S − 1 minute (it took the same slot a moment
 *       earlier).</li>
 * </ul>
 * Both halves together make the rule independent of which trigger Quartz fires first, on this daemon or on another
 * one sharing the job store. Expressions a minute or more apart never coincide; a smaller backup that comes while a
 * bigger one is still running meets pgBackRest's lock and is skipped as {@code already_running}.
 */
final class BackupCoincidence {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private BackupCoincidence() {
    }

    /** A trigger's last and next fire times (Quartz's scheduled times, not when the job ran). */
    record Fires(Optional<Instant> previous, Optional<Instant> next) {
    }

    /**
     * Why a run of {@code type} scheduled for {@code scheduled} is not taken, or empty when it is.
     *
     * @param bigger the triggers of the cluster's bigger types that exist; other entries are ignored
     */
    static Optional<String> givesWay(BackupType type, Instant scheduled, Map<BackupType, Fires> bigger) {
        for (BackupType b : type.bigger()) {
            Fires f = bigger.get(b);
            if (f == null) {
                continue;
            }
            Optional<Instant> due = f.next().filter(n -> n.isBefore(scheduled.plus(WINDOW)));
            Optional<Instant> fired = f.previous().filter(p -> p.isAfter(scheduled.minus(WINDOW)));
            Optional<Instant> at = fired.or(() -> due);
            if (at.isPresent()) {
                return Optional.of("the " + b.key() + " backup scheduled for " + at.get() + " takes its place");
            }
        }
        return Optional.empty();
    }
}
