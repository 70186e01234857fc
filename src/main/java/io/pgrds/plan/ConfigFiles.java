package io.pgrds.plan;

import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.HbaRule;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.Repository;
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
        SortedMap<String, String> all = comparedParameters(desired, node);
        all.put("listen_addresses", node.host());
        all.put("port", Integer.toString(node.port()));
        all.put("unix_socket_directories", socketDirectory(node));
        return all;
    }

    /**
     * The parameters of one node that the planner compares with the node's file: the cluster's, plus WAL
     * archiving into the cluster's own pgBackRest stanza when it has {@code backup:} (the command names the
     * node's own pgBackRest configuration, so it differs per node). {@code archive_mode} stays {@code on}, not
     * {@code always}: only the primary archives, and after a switchover or failover the new primary does.
     */
    public static SortedMap<String, String> comparedParameters(DesiredCluster desired, NodeSpec node) {
        SortedMap<String, String> all = clusterParameters(desired);
        if (desired.backup().isPresent()) {
            all.put("archive_mode", "on");
            all.put("archive_command", "pgbackrest " + String.join(" ", pgbackrestOptions(node,
                    desired.backup().get().repository())) + " --stanza=" + BackupSpec.stanza(desired.id())
                    + " archive-push %p");
        }
        return all;
    }

    /** Name of the backup configuration in {@code ObservedNode.configFiles()}: the hash of the configured file. */
    public static final String PGBACKREST = "pgbackrest.conf";

    /** The node's pgBackRest configuration: beside the data directory, so nodes sharing a machine do not share it. */
    public static String pgbackrestConfPath(NodeSpec node) {
        return NodePaths.of(node).stateDirectory() + "/pgbackrest.conf";
    }

    /**
     * The options that point pgBackRest at the node's configuration for its own stanza: the file, and for an s3
     * repository the directory holding the link to the credentials file (pgBackRest reads every {@code *.conf}
     * there), so the keys stay in the file the operator placed on the node and are never copied anywhere.
     */
    public static java.util.List<String> pgbackrestOptions(NodeSpec node, Repository repository) {
        return options(pgbackrestConfPath(node), credentialsDirectory(node, false), repository);
    }

    /** The same for a restore, which reads the source cluster's repository through its own file. */
    public static java.util.List<String> pgbackrestRestoreOptions(NodeSpec node, Repository source) {
        return options(pgbackrestRestoreConfPath(node), credentialsDirectory(node, true), source);
    }

    /** The pgBackRest configuration a restore into the node reads. */
    public static String pgbackrestRestoreConfPath(NodeSpec node) {
        return NodePaths.of(node).stateDirectory() + "/pgbackrest-restore.conf";
    }

    /**
     * Where the link to an s3 repository's credentials file lives: a directory of its own for the node's stanza
     * and one for a restore's source, since the two repositories may use different keys.
     */
    public static String credentialsDirectory(NodeSpec node, boolean restore) {
        return NodePaths.of(node).stateDirectory() + (restore ? "/pgbackrest-restore.d" : "/pgbackrest.d");
    }

    /** The name of the link in {@link #credentialsDirectory}. */
    public static final String CREDENTIALS_LINK = "credentials.conf";

    private static java.util.List<String> options(String conf, String includes, Repository repository) {
        return repository instanceof Repository.S3
                ? java.util.List.of("--config=" + conf, "--config-include-path=" + includes)
                : java.util.List.of("--config=" + conf);
    }

    /**
     * One node's pgBackRest configuration for its own cluster's stanza. Logs, locks and the spool live in the
     * node's state directory; the stanza is the cluster's slug.
     */
    public static String pgbackrestConf(DesiredCluster desired, NodeSpec node) {
        BackupSpec backup = desired.backup().orElseThrow(() -> new IllegalArgumentException(desired.id()
                + " has no backup"));
        StringBuilder out = new StringBuilder();
        out.append("# Written by pgrds for cluster ").append(desired.id()).append(", node ").append(node.name())
                .append(".\n# Do not edit: change backup in ").append(desired.file()).append(" (and repositories in "
                + "clusters/defaults.yaml) instead.\n");
        out.append("[global]\n");
        pgbackrestGlobal(out, backup.repository(), node);
        backup.retention().forEach((type, count) -> out.append("repo1-retention-").append(type).append('=')
                .append(count).append('\n'));
        out.append("start-fast=y\n");
        if (backup.fromStandby()) {
            // pgbackrest backup --backup-standby runs on a standby and reaches the primary over SSH with the
            // node's own key; the nodes trusted are listed so that a changed membership configures them again
            out.append("# backups from a standby; postgres on ").append(String.join(", ", desired.nodes().stream()
                    .map(n -> n.name() + " (" + n.host() + ")").toList())).append(" trust each other's ")
                    .append(NodePaths.of(node).stateDirectory()).append("/ssh keys\n");
        }
        out.append('\n');
        pgbackrestStanza(out, BackupSpec.stanza(desired.id()), node);
        return out.toString();
    }

    /**
     * The pgBackRest configuration a restore reads: the source cluster's repository and stanza, with this node's
     * data directory. pgBackRest names this file in the {@code restore_command} it writes, so recovery reads the
     * source's archive while the new cluster archives into its own stanza.
     */
    public static String pgbackrestRestoreConf(ClusterId source, Repository repository, NodeSpec node) {
        StringBuilder out = new StringBuilder();
        out.append("# Written by pgrds: restore of ").append(source).append(" into node ").append(node.name())
                .append(".\n# Read by recovery (restore_command) only; this node archives through pgbackrest.conf."
                        + "\n");
        out.append("[global]\n");
        pgbackrestGlobal(out, repository, node);
        out.append('\n');
        pgbackrestStanza(out, BackupSpec.stanza(source), node);
        return out.toString();
    }

    private static void pgbackrestGlobal(StringBuilder out, Repository repository, NodeSpec node) {
        repository.pgbackrestSettings().forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        if (repository instanceof Repository.S3 s) {
            // the keys come from the operator's file through the include directory; naming it here means a
            // changed path changes this file, so apply links the new one
            out.append("# repo1-s3-key, repo1-s3-key-secret: ").append(s.credentialsFile()).append('\n');
        }
        String state = NodePaths.of(node).stateDirectory();
        out.append("log-path=").append(state).append("/pgbackrest/log\n");
        out.append("lock-path=").append(state).append("/pgbackrest/lock\n");
        out.append("spool-path=").append(state).append("/pgbackrest/spool\n");
    }

    private static void pgbackrestStanza(StringBuilder out, String stanza, NodeSpec node) {
        out.append('[').append(stanza).append("]\n");
        out.append("pg1-path=").append(node.dataDirectory()).append('\n');
        out.append("pg1-port=").append(node.port()).append('\n');
        out.append("pg1-socket-path=").append(socketDirectory(node)).append('\n');
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
    public static String address(String host) {
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
