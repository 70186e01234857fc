package io.pgrds.apply;

import io.pgrds.desired.ClusterId;
import io.pgrds.plan.Action;
import java.time.Duration;

/**
 * What an apply reports while it runs. Executors never print: the CLI renders these events, the daemon logs
 * them. Messages never contain secrets.
 */
public interface ApplyListener {
    default void actionStarted(ClusterId cluster, Action action) {
    }

    default void actionFinished(ClusterId cluster, Action action, Duration took) {
    }

    default void actionFailed(ClusterId cluster, Action action, Duration took, String why) {
    }

    /** A step within an action (e.g. "pg2: streaming from pg1"), or progress of a long step. */
    default void progress(ClusterId cluster, String node, String message) {
    }

    /** A command or SQL statement (secrets redacted): printed by --dry-run instead of being run. */
    default void command(ClusterId cluster, String node, String command) {
    }

    /** Something the user must see once, e.g. the admin password of a new cluster and how to connect. */
    default void notice(ClusterId cluster, String message) {
    }

    ApplyListener NONE = new ApplyListener() {
    };
}
