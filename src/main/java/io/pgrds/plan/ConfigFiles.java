package io.pgrds.plan;

import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.Durability;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.Repository;
import io.pgrds.observe.NodePaths;
import io.pgrds.util.ShellQuote;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The configuration files pgrds owns on every node, rendered from the desired state alone. The executor writes
 * exactly these bytes; the observer reports their sha-256, so drift is a comparison of two hashes.
 *
 * <p>This class says what goes into the files (the parameters in effect, the roles, the names); each file's
 * language is a class of its own, with one quoting rule: {@link PostgresqlConf} for postgresql.conf syntax,
 * {@link StandbyConf} for libpq connection strings, {@link HbaConf} for pg_hba.conf, {@link PgBackRestConf} for
 * pgBackRest's ini file, and {@link ShellQuote} for the shell command in {@code archive_command}. The loader
 * validates every value first; these refuse (IllegalArgumentException) what slipped past it.
 */
public final class ConfigFiles {
    /** Name of the hba file in {@code ObservedNode.configFiles()}. */
    public static final String HBA = "pg_hba.conf";

    /** Name of the backup configuration in {@code ObservedNode.configFiles()}: the hash of the configured file. */
    public static final String PGBACKREST = "pgbackrest.conf";

    /** The name of the file that says where a standby streams from; included by postgresql.conf after pgrds.conf. */
    public static final String STANDBY_CONF = "pgrds-standby.conf";

    /** The name of the link in {@link #credentialsDirectory}. */
    public static final String CREDENTIALS_LINK = "credentials.conf";

    /**
     * Settings pgrds needs for streaming replication and pg_rewind; the cluster file may override them. {@code
     * wal_keep_size} is the slack an old primary, restarted as a standby after a switchover, or a standby back from
     * a restart, needs to find the WAL it must stream on its new primary without a replication slot (which would
     * fill the primary's disk for a standby gone for good).
     */
    public static final SortedMap<String, String> REPLICATION_DEFAULTS = Collections.unmodifiableSortedMap(
            new TreeMap<>(Map.of("hot_standby", "on", "wal_level", "replica", "wal_log_hints", "on",
                    "wal_keep_size", "512MB")));

    /** Settings that differ per node; always taken from the node's entry, never from {@code parameters}. */
    public static final Set<String> NODE_PARAMETERS = Set.of("listen_addresses", "port", "unix_socket_directories");

    /** The roles every cluster has: the team's superuser, the replication role, pgrds's management role. */
    public static final List<String> ROLES = List.of("admin", "pgrds", "replicator");

    private ConfigFiles() {
    }

    // ---- what pgrds.conf holds

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
            List<String> argv = new ArrayList<>(List.of("pgbackrest"));
            argv.addAll(pgbackrestOptions(node, desired.backup().get().repository()));
            argv.add("--stanza=" + BackupSpec.stanza(desired.id()));
            argv.add("archive-push");
            all.put("archive_command", archiveCommand(argv));
        }
        all.putAll(haParameters(desired, node));
        return all;
    }

    /**
     * What durability and automatic failover ask of a node's server. A quorum: {@code synchronous_standby_names =
     * 'ANY K ("pg2", "pg3")'} over the other nodes (a node never waits for itself, and whichever node is primary
     * has its standbys listed) and {@code synchronous_commit = on}; both take effect on a reload. Automatic
     * failover: {@code wal_receiver_timeout} = failoverAfter, so that a standby whose primary went silent stops
     * saying it streams by the time the daemon asks, and one that still hears from it has heard within that time;
     * {@code wal_retrieve_retry_interval = 1s}, so that standbys attach within a second to a primary restarted in
     * place or newly promoted (PostgreSQL's 5 s would keep a quorum's commits waiting that long).
     */
    static SortedMap<String, String> haParameters(DesiredCluster desired, NodeSpec node) {
        SortedMap<String, String> out = new java.util.TreeMap<>();
        if (desired.durability() instanceof Durability.Quorum q) {
            List<String> others = desired.nodes().stream().filter(n -> !n.name().equals(node.name()))
                    .map(n -> "\"" + n.name() + "\"").toList();
            out.put("synchronous_standby_names", "ANY " + q.k() + " (" + String.join(", ", others) + ")");
            out.put("synchronous_commit", "on");
        }
        if (desired.failover().automatic()) {
            out.put("wal_receiver_timeout", desired.failover().failoverAfter().toMillis() + "ms");
            out.put("wal_retrieve_retry_interval", "1s");
        }
        return out;
    }

    /**
     * An {@code archive_command}: PostgreSQL replaces {@code %p} (and {@code %%}) in it, then runs it with
     * {@code sh}. Each argument is quoted for the shell where it needs it ({@link ShellQuote#display}: a path pgrds
     * accepts needs none, so the command reads as before and nodes see no change) and every {@code %} of it is
     * doubled, so only the final {@code %p} is PostgreSQL's.
     */
    static String archiveCommand(List<String> argv) {
        return ShellQuote.display(argv).replace("%", "%%") + " %p";
    }

    /** Where the node's server puts its socket: beside the data directory, never inside it. */
    public static String socketDirectory(NodeSpec node) {
        return NodePaths.of(node).socketDirectory();
    }

    // ---- the files, each rendered by the class of its language

    /** pgrds's PostgreSQL configuration file for one node: {@link #nodeParameters}. */
    public static String postgresqlConf(DesiredCluster desired, NodeSpec node) {
        return PostgresqlConf.file(desired, node, nodeParameters(desired, node));
    }

    /** A value as pgrds writes it into postgresql.conf syntax; see {@link PostgresqlConf#value}. */
    public static String confValue(String value) {
        return PostgresqlConf.value(value);
    }

    /** The whole of {@link #STANDBY_CONF} for a node; see {@link StandbyConf#file}. */
    public static String standbyConf(NodeSpec node, Optional<NodeSpec> upstream, String passfile) {
        return StandbyConf.file(node, upstream, passfile);
    }

    /** A libpq connection string from keywords and values, in the order given; see {@link StandbyConf#conninfo}. */
    public static String conninfo(Map<String, String> settings) {
        return StandbyConf.conninfo(settings);
    }

    /** pgrds's pg_hba.conf; see {@link HbaConf#file}. */
    public static String hba(DesiredCluster desired) {
        return HbaConf.file(desired);
    }

    /** A host as a pg_hba.conf address; see {@link HbaConf#address}. */
    public static String address(String host) {
        return HbaConf.address(host);
    }

    /** One node's pgBackRest configuration for its own cluster's stanza; see {@link PgBackRestConf#file}. */
    public static String pgbackrestConf(DesiredCluster desired, NodeSpec node) {
        return PgBackRestConf.file(desired, node);
    }

    /** The pgBackRest configuration a restore reads; see {@link PgBackRestConf#restoreFile}. */
    public static String pgbackrestRestoreConf(ClusterId source, Repository repository, NodeSpec node) {
        return PgBackRestConf.restoreFile(source, repository, node);
    }

    /** Where {@link #pgbackrestConf} lives on the node. */
    public static String pgbackrestConfPath(NodeSpec node) {
        return PgBackRestConf.path(node);
    }

    /** Where {@link #pgbackrestRestoreConf} lives on the node. */
    public static String pgbackrestRestoreConfPath(NodeSpec node) {
        return PgBackRestConf.restorePath(node);
    }

    /** The options that point pgBackRest at the node's own configuration; see {@link PgBackRestConf#options}. */
    public static List<String> pgbackrestOptions(NodeSpec node, Repository repository) {
        return PgBackRestConf.options(node, repository, false);
    }

    /** The same for a restore, which reads the source cluster's repository through its own file. */
    public static List<String> pgbackrestRestoreOptions(NodeSpec node, Repository source) {
        return PgBackRestConf.options(node, source, true);
    }

    /** Where the link to an s3 repository's credentials file lives; see {@link PgBackRestConf#credentialsDirectory}. */
    public static String credentialsDirectory(NodeSpec node, boolean restore) {
        return PgBackRestConf.credentialsDirectory(node, restore);
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
}
