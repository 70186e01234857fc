package io.pgrds.app;

import io.pgrds.apply.Executor;
import java.time.Duration;

/**
 * How an apply runs.
 *
 * @param dryRun      print every command and SQL statement; change nothing
 * @param lockTimeout how long to wait for another apply of the same cluster
 * @param user        who applies, for the audit trail and the lock
 * @param host        where from
 */
public record ApplySettings(boolean dryRun, Duration lockTimeout, String user, String host) {
    /** How long a new or repointed standby may take to stream before apply says it does not. */
    static final Duration STREAMING_TIMEOUT = Duration.ofMinutes(2);

    /** A person at this machine: their user name and this host. */
    public static ApplySettings person(boolean dryRun, Duration lockTimeout) {
        Executor.Options d = Executor.Options.defaults(dryRun);
        return new ApplySettings(dryRun, lockTimeout, d.user(), d.host());
    }

    /** The daemon on {@code host}. */
    public static ApplySettings daemon(Duration lockTimeout, String host) {
        return new ApplySettings(false, lockTimeout, "pgrds-daemon", host);
    }

    Executor.Options options() {
        return new Executor.Options(dryRun, lockTimeout, STREAMING_TIMEOUT, user, host);
    }
}
