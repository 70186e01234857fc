package io.pgrds.daemon;

import java.time.Instant;
import java.util.Optional;

/**
 * The last scheduled backup of a cluster this daemon took ({@code backup.schedule}).
 *
 * @param at      when it started
 * @param millis  how long it took
 * @param ok      true when pgBackRest finished it
 * @param node    the primary it was taken from
 * @param label   pgBackRest's label of the newest backup afterwards
 * @param message why it failed
 */
public record LastBackup(Instant at, long millis, boolean ok, Optional<String> node, Optional<String> label,
                         Optional<String> message) {
    public String result() {
        return ok ? "ok" : "error";
    }
}
