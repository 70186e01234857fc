package io.pgrds.observe;

import java.util.Optional;
import java.util.SortedMap;

/**
 * Everything pgrds found on one node in one observation. Never thrown: a node that could not be reached
 * or understood is a value too ({@link NodeState#UNREACHABLE} / {@link NodeState#UNKNOWN} with
 * {@link #error()} saying why).
 *
 * @param name             the node's name as in the cluster file (or in the membership marker)
 * @param error            why the node is UNREACHABLE / UNKNOWN, or why SQL facts are missing
 * @param version          the PostgreSQL major version of the data directory ({@code PG_VERSION})
 * @param upstream         the host the standby streams from ({@code primary_conninfo}), if any
 * @param configFiles      hashes of the pgrds-owned configuration files (name → sha-256), to detect drift
 * @param configParameters the parameters in pgrds's own configuration file as found on the node
 * @param memoryBytes      total memory of the machine
 * @param freeDiskBytes    free space of the file system holding the data directory
 * @param wal              WAL waiting for the archiver and the room for it, when the data directory has a pg_wal
 * @param sql              facts from SQL, when the server runs and pgrds could log in
 * @param clusterState     {@code pg_controldata}'s "Database cluster state" ({@code shut down}, {@code in
 *                         production}, {@code shut down in recovery}, {@code in archive recovery}, ...)
 * @param checkpoint       {@code pg_controldata}'s "Latest checkpoint location": for a primary shut down cleanly,
 *                         its shutdown checkpoint, after which it wrote nothing
 * @param reachFailure     for an UNREACHABLE node: on which side the cause lies
 * @param systemd          where systemd runs the node: its instance of {@code pgrds@.service} and how it stands; empty
 *                         where systemd does not run (pgrds starts and stops the server with {@code pg_ctl}) or the node
 *                         could not be probed
 */
public record ObservedNode(String name, String host, NodeState state, Optional<String> error, boolean running,
                           Optional<Integer> version, Optional<String> systemIdentifier, Optional<Integer> timeline,
                           Optional<String> upstream, Optional<Marker> marker, SortedMap<String, String> configFiles,
                           SortedMap<String, String> configParameters, Optional<Long> memoryBytes,
                           Optional<Long> freeDiskBytes, boolean rebootRequired, Optional<WalFacts> wal,
                           Optional<SqlFacts> sql, Optional<String> clusterState, Optional<Lsn> checkpoint,
                           Optional<ReachFailure> reachFailure, Optional<Systemd> systemd) {
    public ObservedNode {
        configFiles = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(configFiles));
        configParameters = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(configParameters));
    }

    /** A node that SSH could not reach, for a reason on the given side. */
    public static ObservedNode unreachable(String name, String host, String why, ReachFailure failure) {
        return new ObservedNode(name, host, NodeState.UNREACHABLE, Optional.of(why), false, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), new java.util.TreeMap<>(),
                new java.util.TreeMap<>(), Optional.empty(), Optional.empty(), false, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(failure), Optional.empty());
    }

    /** A node that SSH could not reach, the cause not known (treated as a node that may be down). */
    public static ObservedNode unreachable(String name, String host, String why) {
        return unreachable(name, host, why, ReachFailure.SILENT);
    }

    /** A node whose probe failed in a way pgrds cannot explain. */
    public static ObservedNode unknown(String name, String host, String why) {
        return new ObservedNode(name, host, NodeState.UNKNOWN, Optional.of(why), false, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), new java.util.TreeMap<>(),
                new java.util.TreeMap<>(), Optional.empty(), Optional.empty(), false, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * The same node with its SQL facts. A running primary's timeline is the one it writes WAL on, which is ahead of
     * pg_control's until the first checkpoint after a promotion.
     */
    public ObservedNode withSql(SqlFacts facts) {
        Optional<Integer> tl = facts.walTimeline().filter(t -> timeline.isEmpty() || t > timeline.get())
                .or(() -> timeline);
        return new ObservedNode(name, host, state, error, running, version, systemIdentifier, tl, upstream,
                marker, configFiles, configParameters, memoryBytes, freeDiskBytes, rebootRequired, wal,
                Optional.of(facts), clusterState, checkpoint, reachFailure, systemd);
    }

    /** The same node with {@code why} as its error (e.g. why SQL facts are missing). */
    public ObservedNode withError(String why) {
        return new ObservedNode(name, host, state, Optional.of(why), running, version, systemIdentifier, timeline,
                upstream, marker, configFiles, configParameters, memoryBytes, freeDiskBytes, rebootRequired, wal, sql,
                clusterState, checkpoint, reachFailure, systemd);
    }

    /** The node's systemd unit when systemd runs it: pgrds starts, stops and enables the server through it. */
    public boolean underSystemd() {
        return systemd.isPresent();
    }

    /** True when pg_controldata says the server was shut down cleanly (as a primary: a shutdown checkpoint). */
    public boolean shutDownCleanly() {
        return clusterState.filter("shut down"::equals).isPresent();
    }

    /** Where the server is (replayed on a standby), if known. */
    public Optional<Lsn> position() {
        return sql.flatMap(SqlFacts::position);
    }

    /** The WAL the server holds (on a standby the further of received and replayed): orders failover candidates. */
    public Optional<Lsn> held() {
        return sql.flatMap(SqlFacts::held);
    }
}
