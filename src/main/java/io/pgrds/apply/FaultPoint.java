package io.pgrds.apply;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Named points between the steps of an apply, where the fault suite stops a pgrds process to SIGKILL it there.
 * Inert unless the JVM was started with {@code -Dpgrds.test.faultPoint=NAME}: at that point pgrds then writes
 * {@code -Dpgrds.test.faultPoint.file} (its pid and the point's name) and waits until it is killed — or, with
 * {@code -Dpgrds.test.faultPoint.mode=pause}, until a test deletes that file, and then goes on. Nothing else reads
 * these properties, and no configuration file or environment variable can set them.
 */
public final class FaultPoint {
    public static final String PROPERTY = "pgrds.test.faultPoint";
    public static final String FILE_PROPERTY = "pgrds.test.faultPoint.file";
    public static final String MODE_PROPERTY = "pgrds.test.faultPoint.mode";

    /** The lock is held; the cluster is not yet observed again. */
    public static final String APPLY_LOCKED = "apply.locked";
    /** Observed again under the lock and the new plan equals the approved one; no action has begun. */
    public static final String APPLY_CHECKED = "apply.checked";
    /** Switchover: the target was seen streaming from the old primary; nothing is stopped yet. */
    public static final String SWITCHOVER_CHECKED = "switchover.checked";
    /** Switchover: the old primary is stopped cleanly; the target is not promoted yet. */
    public static final String SWITCHOVER_STOPPED = "switchover.stopped";
    /** Switchover: the target is promoted and writable; the markers still name the old primary. */
    public static final String SWITCHOVER_PROMOTED = "switchover.promoted";
    /** Switchover: the markers name the new primary; the old one is not yet configured as its standby. */
    public static final String SWITCHOVER_MARKED = "switchover.marked";
    /** Switchover: the old primary has its standby configuration but is not started. */
    public static final String SWITCHOVER_CONFIGURED = "switchover.configured";
    /** Promote: the former primary is fenced or proven stopped; the standby is not promoted yet. */
    public static final String PROMOTE_FENCED = "promote.fenced";
    /** Promote: the standby is promoted and writable; the markers still name the former primary. */
    public static final String PROMOTE_PROMOTED = "promote.promoted";
    /** Rejoin: the node is stopped; nothing is rewound yet. */
    public static final String REJOIN_STOPPED = "rejoin.stopped";
    /** Rejoin: pg_rewind ran; the node still has the source's configuration files. */
    public static final String REJOIN_REWOUND = "rejoin.rewound";
    /** Rejoin: the node's own configuration and standby.signal are written; it is not started. */
    public static final String REJOIN_CONFIGURED = "rejoin.configured";
    /** Deactivate: the node is stopped; its marker does not say deactivated yet. */
    public static final String DEACTIVATE_STOPPED = "deactivate.stopped";
    /** An automatic failover detached the standbys from the lost primary and has not promoted one yet. */
    public static final String FAILOVER_DETACHED = "failover.detached";

    /** Every point, in the order an apply can pass them. */
    public static final List<String> ALL = List.of(APPLY_LOCKED, APPLY_CHECKED, SWITCHOVER_CHECKED,
            SWITCHOVER_STOPPED, SWITCHOVER_PROMOTED, SWITCHOVER_MARKED, SWITCHOVER_CONFIGURED, PROMOTE_FENCED,
            PROMOTE_PROMOTED, REJOIN_STOPPED, REJOIN_REWOUND, REJOIN_CONFIGURED, DEACTIVATE_STOPPED, FAILOVER_DETACHED);

    private FaultPoint() {
    }

    /** Called by the executor at {@code point}; returns at once unless this JVM was told to stop there. */
    static void reached(String point) {
        String wanted = System.getProperty(PROPERTY);
        if (wanted == null || !wanted.equals(point)) {
            return;
        }
        String file = System.getProperty(FILE_PROPERTY);
        if (file != null) {
            try {
                Files.writeString(Path.of(file), ProcessHandle.current().pid() + " " + point + "\n",
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write the fault point file " + file, e);
            }
        }
        boolean pause = "pause".equals(System.getProperty(MODE_PROPERTY)) && file != null;
        while (!pause || Files.exists(Path.of(file))) {
            try {
                Thread.sleep(pause ? 20 : 60_000);
            } catch (InterruptedException e) {
                // only SIGKILL (or, pausing, the file's removal) ends the wait at a fault point
            }
        }
    }
}
