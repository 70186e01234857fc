package io.pgrds.observe;

/** What pgrds found on a node (DESIGN.md "Observed state of a node"). */
public enum NodeState {
    /** SSH failed (timeout, refused, authentication, unknown or changed host key). */
    UNREACHABLE,
    /** The wanted PostgreSQL version's binaries are missing. */
    NO_POSTGRES,
    /** No data directory, or an empty one. */
    EMPTY,
    /** A data directory that is not in recovery. */
    PRIMARY,
    /** A data directory with standby.signal. */
    STANDBY,
    /** Stopped and marked by pgrds when removed from the cluster (data kept). */
    DEACTIVATED,
    /** A data directory of another cluster (system identifier or marker differs). */
    FOREIGN,
    /** The probe failed in a way it cannot explain. */
    UNKNOWN;

    /** True when the node holds a data directory of this cluster that can take part in replication. */
    public boolean holdsClusterData() {
        return this == PRIMARY || this == STANDBY;
    }
}
