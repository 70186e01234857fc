package io.pgrds.plan;

/** Stable refusal codes. The names are part of the CLI and JSON contract. */
public enum RefusalCode {
    /** systemd runs a desired node but the pgrds@.service unit template is not installed there. */
    SYSTEMD_UNIT_MISSING,
    /** A desired node could not be reached over SSH. */
    NODE_UNREACHABLE,
    /** A desired node's state could not be determined (or it was not observed at all). */
    NODE_UNKNOWN,
    /** The wanted PostgreSQL version is not installed on a desired node. */
    NO_POSTGRES,
    /** Two nodes hold primary data and pgrds cannot tell which one is stale. */
    SPLIT_BRAIN,
    /** A node holds another cluster's data (its marker or system identifier differs). */
    FOREIGN_DATA,
    /** A node's data directory is of another PostgreSQL major version than the file asks for. */
    VERSION_MISMATCH,
    /** The primary (pinned, or last applied when nothing is pinned) cannot be reached. */
    DESIRED_PRIMARY_UNREACHABLE,
    /** Data exists, but only on nodes that cannot become primary. */
    NO_CANDIDATE,
    /** A planned handover's target is not streaming from the primary, or lags too far behind. */
    SWITCHOVER_TARGET_NOT_READY,
    /** A failover would promote the pinned standby while another standby has newer WAL. */
    PINNED_PRIMARY_BEHIND,
    /** The node a restore would go into could not read the source's backups from its repository. */
    RESTORE_SOURCE_UNREADABLE,
    /** The restore source has no backup that recovery to the target can start from. */
    NO_BACKUP_FOR_TARGET,
    /** A restore's target time has no zone offset (PostgreSQL would read it in the restored server's zone). */
    RESTORE_TARGET_AMBIGUOUS,
    /** A failover would promote a standby while the former primary is neither seen stopped nor fenced. */
    FORMER_PRIMARY_NOT_FENCED,
    /** A standby still receives WAL from a node pgrds cannot see stopped: a primary is alive there. */
    FORMER_PRIMARY_ALIVE,
    /** A backup needs a running primary of the cluster, and none runs (or it is no longer in the file). */
    NO_RUNNING_PRIMARY,
    /** A backup was asked for while a stale primary still runs beside the current one. */
    STALE_PRIMARY_RUNNING
}
