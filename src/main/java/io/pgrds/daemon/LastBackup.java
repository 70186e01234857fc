package io.pgrds.daemon;

import io.pgrds.desired.BackupType;
import java.time.Instant;
import java.util.Optional;

/**
 * The last scheduled backup of one type of a cluster this daemon took ({@code backup.schedule}).
 *
 * @param type    full, diff or incr
 * @param at      when it started
 * @param millis  how long it took
 * @param ok      true when pgBackRest finished it
 * @param node    the node it was taken from: the primary, or a standby with {@code backup.fromStandby}
 * @param label   pgBackRest's label of the newest backup afterwards
 * @param message why it failed
 */
public record LastBackup(BackupType type, Instant at, long millis, boolean ok, Optional<String> node,
                         Optional<String> label, Optional<String> message) {
    public String result() {
        return ok ? "ok" : "error";
    }
}
