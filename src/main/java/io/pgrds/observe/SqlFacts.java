package io.pgrds.observe;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * What a node's server said over SQL.
 *
 * @param currentLsn     on a primary: {@code pg_current_wal_lsn()}
 * @param receiveLsn     on a standby: {@code pg_last_wal_receive_lsn()}
 * @param replayLsn      on a standby: {@code pg_last_wal_replay_lsn()}
 * @param replayLagMillis on a standby: time since the last replayed transaction, when behind
 * @param walReceiverStatus on a standby: {@code pg_stat_wal_receiver.status} (streaming, ...)
 * @param replication    on a primary: its standbys
 * @param archiver       {@code pg_stat_archiver} with the server's clock (absent in observations older than it)
 * @param walReceiverSender on a standby whose WAL receiver runs: {@code sender_host:sender_port}, where it receives from
 * @param walReceiverMessageAgeMillis on a standby whose WAL receiver runs: milliseconds since its last message from
 *                       the sender (the sender's keepalives count: an idle live primary still sends them)
 * @param walTimeline    on a primary: the timeline it writes WAL on now. pg_control's checkpoint timeline stays at
 *                       the old value until the first checkpoint after a promotion, so this is the one to trust
 */
public record SqlFacts(String serverVersion, boolean inRecovery, Optional<Lsn> currentLsn, Optional<Lsn> receiveLsn,
                       Optional<Lsn> replayLsn, Optional<Long> replayLagMillis, Optional<String> walReceiverStatus,
                       List<ReplicationPeer> replication, SortedMap<String, Setting> settings, List<String> roles,
                       int connections, int maxConnections, Optional<ArchiverStats> archiver,
                       Optional<String> walReceiverSender, Optional<Long> walReceiverMessageAgeMillis,
                       Optional<Integer> walTimeline) {
    public SqlFacts {
        replication = List.copyOf(replication);
        settings = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(settings));
        roles = List.copyOf(roles);
    }

    /** Whether the WAL receiver streams now, or heard from its sender within {@code millis}. */
    public boolean receivedWithin(long millis) {
        return walReceiverStatus.filter("streaming"::equals).isPresent()
                || walReceiverMessageAgeMillis.filter(age -> age <= millis).isPresent();
    }

    /** Where the server is: replayed on a standby (what a query there sees), current on a primary. */
    public Optional<Lsn> position() {
        return inRecovery ? replayLsn.or(() -> receiveLsn) : currentLsn;
    }

    /**
     * The WAL the server holds, which orders failover candidates: on a standby the further of received and replayed
     * (WAL it received but has not replayed yet is replayed when it is promoted, and with quorum durability it is what
     * acknowledged a commit), current on a primary.
     */
    public Optional<Lsn> held() {
        if (inRecovery && receiveLsn.isPresent() && replayLsn.isPresent()) {
            return Optional.of(receiveLsn.get().compareTo(replayLsn.get()) > 0 ? receiveLsn.get() : replayLsn.get());
        }
        return position();
    }
}
