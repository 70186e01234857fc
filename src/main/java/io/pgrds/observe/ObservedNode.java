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
 */
public record ObservedNode(String name, String host, NodeState state, Optional<String> error, boolean running,
                           Optional<Integer> version, Optional<String> systemIdentifier, Optional<Integer> timeline,
                           Optional<String> upstream, Optional<Marker> marker, SortedMap<String, String> configFiles,
                           SortedMap<String, String> configParameters, Optional<Long> memoryBytes,
                           Optional<Long> freeDiskBytes, boolean rebootRequired, Optional<WalFacts> wal,
                           Optional<SqlFacts> sql) {
    public ObservedNode {
        configFiles = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(configFiles));
        configParameters = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(configParameters));
    }

    /** A node that SSH could not reach. */
    public static ObservedNode unreachable(String name, String host, String why) {
        return new ObservedNode(name, host, NodeState.UNREACHABLE, Optional.of(why), false, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), new java.util.TreeMap<>(),
                new java.util.TreeMap<>(), Optional.empty(), Optional.empty(), false, Optional.empty(),
                Optional.empty());
    }

    /** A node whose probe failed in a way pgrds cannot explain. */
    public static ObservedNode unknown(String name, String host, String why) {
        return new ObservedNode(name, host, NodeState.UNKNOWN, Optional.of(why), false, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), new java.util.TreeMap<>(),
                new java.util.TreeMap<>(), Optional.empty(), Optional.empty(), false, Optional.empty(),
                Optional.empty());
    }

    /** The WAL position used to order failover candidates, if known. */
    public Optional<Lsn> position() {
        return sql.flatMap(SqlFacts::position);
    }
}
