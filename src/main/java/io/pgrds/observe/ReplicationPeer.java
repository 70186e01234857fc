package io.pgrds.observe;

import java.util.Optional;

/**
 * One row of the primary's {@code pg_stat_replication}.
 *
 * @param applicationName the standby's {@code application_name} (pgrds sets it to the node name)
 * @param lagBytes        bytes the standby has yet to replay
 * @param replayLagMillis the primary's view of replay lag, if known
 */
public record ReplicationPeer(String applicationName, String clientAddress, String state, Optional<Lsn> replayLsn,
                              long lagBytes, Optional<Long> replayLagMillis) {
}
