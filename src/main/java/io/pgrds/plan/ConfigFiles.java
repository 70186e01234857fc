package io.pgrds.plan;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.HbaRule;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.NodePaths;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The configuration files pgrds owns on every node, rendered from the desired state alone. The executor writes
 * exactly these bytes; the observer reports their sha-256, so drift is a comparison of two hashes.
 */
public final class ConfigFiles {
    /** Name of the hba file in {@code ObservedNode.configFiles()}. */
    public static final String HBA = "pg_hba.conf";

    /** Settings pgrds needs for streaming replication and pg_rewind; the cluster file may override them. */
    public static final SortedMap<String, String> REPLICATION_DEFAULTS = java.util.Collections.unmodifiableSortedMap(
            new TreeMap<>(Map.of("hot_standby", "on", "wal_level", "replica", "wal_log_hints", "on")));

    /** Settings that differ per node; always taken from the node's entry, never from {@code parameters}. */
    public static final Set<String> NODE_PARAMETERS = Set.of("listen_addresses", "port", "unix_socket_directories");

    /** The roles every cluster has: the team's superuser, the replication role, pgrds's management role. */
    public static final java.util.List<String> ROLES = java.util.List.of("admin", "pgrds", "replicator");

    private ConfigFiles() {
    }

    /** The cluster-wide parameters in effect: pgrds's replication defaults overlaid by the file's parameters. */
    public static SortedMap<String, String> clusterParameters(DesiredCluster desired) {
        SortedMap<String, String> all = new TreeMap<>(REPLICATION_DEFAULTS);
        desired.postgres().parameters().forEach((k, v) -> {
            if (!NODE_PARAMETERS.contains(k)) {
                all.put(k, v);
            }
        });
        return all;
    }

    /** Every parameter of one node's pgrds configuration file. */
    public static SortedMap<String, String> nodeParameters(DesiredCluster desired, NodeSpec node) {
        SortedMap<String, String> all = clusterParameters(desired);
        all.put("listen_addresses", node.host());
        all.put("port", Integer.toString(node.port()));
        all.put("unix_socket_directories", socketDirectory(node));
        return all;
    }

    /** Where the node's server puts its socket: beside the data directory, never inside it. */
    public static String socketDirectory(NodeSpec node) {
        return NodePaths.of(node).socketDirectory();
    }

    /** pgrds's PostgreSQL configuration file for one node. */
    public static String postgresqlConf(DesiredCluster desired, NodeSpec node) {
        StringBuilder out = new StringBuilder();
        out.append("# Written by pgrds for cluster ").append(desired.id()).append(", node ").append(node.name())
                .append(".\n# Do not edit: change postgres.parameters in ").append(desired.file())
                .append(" instead.\n");
        nodeParameters(desired, node).forEach((k, v) -> out.append(k).append(" = ").append(quote(v)).append('\n'));
        return out.toString();
    }

    /** pgrds's pg_hba.conf: local administration, replication between the cluster's nodes, then the file's rules. */
    public static String hba(DesiredCluster desired) {
        StringBuilder out = new StringBuilder();
        out.append("# Written by pgrds for cluster ").append(desired.id())
                .append(".\n# Do not edit: change postgres.hba in ").append(desired.file()).append(" instead.\n");
        out.append("# administration on the node itself\n");
        line(out, "local", "all", "postgres", "", "peer");
        line(out, "local", "all", "all", "", "scram-sha-256");
        line(out, "host", "all", "pgrds", "127.0.0.1/32", "scram-sha-256");
        line(out, "host", "all", "pgrds", "::1/128", "scram-sha-256");
        Set<String> hosts = new LinkedHashSet<>();
        desired.nodes().forEach(n -> hosts.add(address(n.host())));
        out.append("# pgrds (through its SSH tunnel) and replication, from the cluster's nodes only\n");
        for (String h : hosts) {
            line(out, "host", "all", "pgrds", h, "scram-sha-256");
        }
        for (String h : hosts) {
            line(out, "host", "replication", "replicator", h, "scram-sha-256");
        }
        out.append("# rules from the cluster file\n");
        for (HbaRule r : desired.postgres().hba()) {
            line(out, r.type(), r.database(), r.user(), r.address().orElse(""), r.method());
        }
        return out.toString();
    }

    /** sha-256 of a text (UTF-8), lower-case hex; the form {@code ObservedNode.configFiles()} holds. */
    public static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static void line(StringBuilder out, String type, String database, String user, String address,
                             String method) {
        out.append(String.format("%-7s %-12s %-11s %-24s %s", type, database, user, address, method).stripTrailing()).append('\n');
    }

    /**
     * An IP address gets its single-host mask; a host name stays a name (pg_hba resolves it). A loopback address
     * stands for the whole loopback network: nodes sharing one machine connect to each other from 127.0.0.1,
     * whatever 127.0.0.x they listen on, and nothing outside the machine can use such an address.
     */
    static String address(String host) {
        if (host.startsWith("127.") && host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.equals("localhost")) {
            return "127.0.0.0/8";
        }
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return host + "/32";
        }
        if (host.contains(":")) {
            return host + "/128";
        }
        return host;
    }

    /** A postgresql.conf value: always single-quoted, quotes doubled, backslashes escaped. */
    static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
