package io.pgrds.desired;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * pgBackRest's backup types, biggest first: a full copies everything; a diff what changed since the last full;
 * an incr what changed since the last backup of any type. When two are due at once, the bigger one is taken.
 */
public enum BackupType {
    FULL, DIFF, INCR;

    /** The spelling in cluster files, on pgBackRest's command line and in status output: full, diff, incr. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The types bigger than this one, biggest first: none for a full; a full for a diff; both for an incr. */
    public List<BackupType> bigger() {
        return Arrays.asList(values()).subList(0, ordinal());
    }

    public static Optional<BackupType> of(String key) {
        return Arrays.stream(values()).filter(t -> t.key().equals(key)).findFirst();
    }
}
