package io.pgrds.plan;

import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.HbaRule;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.Repository;
import io.pgrds.observe.NodePaths;
import io.pgrds.util.ShellQuote;
import io.pgrds.util.Texts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The configuration files pgrds owns on every node, rendered from the desired state alone. The executor writes
 * exactly these bytes; the observer reports their sha-256, so drift is a comparison of two hashes.
 *
 * <p>Every value reaches a file through one quoting rule per language: {@link #confValue} for postgresql.conf
 * syntax, {@link #conninfo} for libpq connection strings, {@link ShellQuote} for the shell command in
 * {@code archive_command}, and a check that refuses a line break in pgBackRest's ini file and in pg_hba.conf. The
 * loader validates every value first; these refuse (IllegalArgumentException) what slipped past it.
 */
public final class ConfigFiles {
    /** Name of the hba file in {@code ObservedNode.configFiles()}. */
    public static final String HBA = "pg_hba.conf";

    /**
     * Settings pgrds needs for streaming replication and pg_rewind; the cluster file may override them. {@code
     * wal_keep_size} is the slack an old primary, restarted as a standby after a switchover, or a standby back from
     * a restart, needs to find the WAL it must stream on its new primary without a replication slot (which would
     * fill the primary's disk for a standby gone for good).
     */
    public static final SortedMap<String, String> REPLICATION_DEFAULTS = java.util.Collections.unmodifiableSortedMap(
            new TreeMap<>(Map.of("hot_standby", "on", "wal_level", "replica", "wal_log_hints", "on",
                    "wal_keep_size", "512MB")));

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
            List<String> argv = new ArrayList<>(List.of("pgbackrest"));
            argv.addAll(pgbackrestOptions(node, desired.backup().get().repository()));
            argv.add("--stanza=" + BackupSpec.stanza(desired.id()));
            argv.add("archive-push");
            all.put("archive_command", archiveCommand(argv));
        }
        return all;
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
        comment(out, "Written by pgrds for cluster " + desired.id() + ", node " + node.name() + ".");
        comment(out, "Do not edit: change backup in " + desired.file() + " (and repositories in "
                + "clusters/defaults.yaml) instead.");
        out.append("[global]\n");
        pgbackrestGlobal(out, backup.repository(), node);
        backup.retention().forEach((type, count) -> ini(out, "repo1-retention-" + type, Integer.toString(count)));
        ini(out, "start-fast", "y");
        if (backup.fromStandby()) {
            // pgbackrest backup --backup-standby runs on a standby and reaches the primary over SSH with the
            // node's own key; the nodes trusted are listed so that a changed membership configures them again
            comment(out, "backups from a standby; postgres on " + String.join(", ", desired.nodes().stream()
                    .map(n -> n.name() + " (" + n.host() + ")").toList()) + " trust each other's "
                    + NodePaths.of(node).stateDirectory() + "/ssh keys");
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
        comment(out, "Written by pgrds: restore of " + source + " into node " + node.name() + ".");
        comment(out, "Read by recovery (restore_command) only; this node archives through pgbackrest.conf.");
        out.append("[global]\n");
        pgbackrestGlobal(out, repository, node);
        out.append('\n');
        pgbackrestStanza(out, BackupSpec.stanza(source), node);
        return out.toString();
    }

    private static void pgbackrestGlobal(StringBuilder out, Repository repository, NodeSpec node) {
        repository.pgbackrestSettings().forEach((k, v) -> ini(out, k, v));
        if (repository instanceof Repository.S3 s) {
            // the keys come from the operator's file through the include directory; naming it here means a
            // changed path changes this file, so apply links the new one
            comment(out, "repo1-s3-key, repo1-s3-key-secret: " + s.credentialsFile());
        }
        String state = NodePaths.of(node).stateDirectory();
        ini(out, "log-path", state + "/pgbackrest/log");
        ini(out, "lock-path", state + "/pgbackrest/lock");
        ini(out, "spool-path", state + "/pgbackrest/spool");
    }

    private static void pgbackrestStanza(StringBuilder out, String stanza, NodeSpec node) {
        out.append('[').append(oneLine(stanza, "a pgBackRest stanza")).append("]\n");
        ini(out, "pg1-path", node.dataDirectory());
        ini(out, "pg1-port", Integer.toString(node.port()));
        ini(out, "pg1-socket-path", socketDirectory(node));
    }

    /**
     * One {@code key=value} line of pgBackRest's ini file. Its values are not quoted (pgBackRest reads the rest of
     * the line as the value), so one that would end the line is refused.
     */
    private static void ini(StringBuilder out, String key, String value) {
        out.append(oneLine(key, "a pgBackRest option")).append('=')
                .append(oneLine(value, "the pgBackRest option " + key)).append('\n');
    }

    /** A {@code #} comment line (of any file pgrds writes); text that would start a second line is refused. */
    private static void comment(StringBuilder out, String text) {
        out.append("# ").append(oneLine(text, "a comment")).append('\n');
    }

    private static String oneLine(String text, String what) {
        OptionalInt bad = Texts.firstControl(text);
        if (bad.isPresent()) {
            throw new IllegalArgumentException(what + " cannot hold " + Texts.describe(text.codePointAt(
                    bad.getAsInt())) + ": " + Texts.show(text));
        }
        return text;
    }

    /** Where the node's server puts its socket: beside the data directory, never inside it. */
    public static String socketDirectory(NodeSpec node) {
        return NodePaths.of(node).socketDirectory();
    }

    /** pgrds's PostgreSQL configuration file for one node. */
    public static String postgresqlConf(DesiredCluster desired, NodeSpec node) {
        StringBuilder out = new StringBuilder();
        comment(out, "Written by pgrds for cluster " + desired.id() + ", node " + node.name() + ".");
        comment(out, "Do not edit: change postgres.parameters in " + desired.file() + " instead.");
        nodeParameters(desired, node).forEach((k, v) -> out.append(setting(k, v)).append('\n'));
        return out.toString();
    }

    /** A parameter's name as postgresql.conf takes it: the loader's pattern for names, and custom {@code a.b}. */
    private static final java.util.regex.Pattern PARAMETER = java.util.regex.Pattern.compile(
            "[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    /** One {@code name = 'value'} line of postgresql.conf syntax. */
    private static String setting(String name, String value) {
        if (!PARAMETER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a PostgreSQL parameter name: " + Texts.show(name));
        }
        return name + " = " + confValue(value);
    }

    /**
     * The one way pgrds writes a value into a file of postgresql.conf syntax ({@code pgrds.conf},
     * {@code pgrds-standby.conf}): always single-quoted, each {@code '} doubled and each {@code \} doubled (inside a
     * quoted value PostgreSQL reads {@code \} as an escape). A value is one line: a control character or line break
     * is refused, since nothing can write it there (the loader refuses them before).
     *
     * @throws IllegalArgumentException for a value with a control character
     */
    public static String confValue(String value) {
        return "'" + oneLine(value, "a postgresql.conf value").replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /**
     * A libpq connection string ({@code primary_conninfo}, {@code pg_rewind --source-server}) from keywords and
     * values, in the order given. A value is written as it is when it is a plain word, else in single quotes with
     * {@code '} and {@code \} escaped by a backslash, libpq's own rule: {@code application_name='it\'s'}.
     *
     * @throws IllegalArgumentException for a keyword that is not a word, or a value with a control character
     */
    public static String conninfo(Map<String, String> settings) {
        StringBuilder b = new StringBuilder();
        settings.forEach((k, v) -> {
            if (!k.matches("[a-z_]+")) {
                throw new IllegalArgumentException("not a libpq keyword: " + Texts.show(k));
            }
            oneLine(v, "the connection setting " + k);
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(k).append('=');
            if (!v.isEmpty() && v.chars().noneMatch(c -> c == '\'' || c == '\\' || Character.isWhitespace(c))) {
                b.append(v);
            } else {
                b.append('\'').append(v.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
            }
        });
        return b.toString();
    }

    /** The name of the file that says where a standby streams from; included by postgresql.conf after pgrds.conf. */
    public static final String STANDBY_CONF = "pgrds-standby.conf";

    /**
     * The whole of {@link #STANDBY_CONF} for a node: {@code primary_conninfo} pointing at {@code upstream} as the
     * replicator, the password from {@code passfile}, streaming under the node's name; or, without an upstream, a
     * file that says the node is not a standby.
     */
    public static String standbyConf(NodeSpec node, Optional<NodeSpec> upstream, String passfile) {
        if (upstream.isEmpty()) {
            return "# Written by pgrds: this node is not a standby.\n";
        }
        NodeSpec u = upstream.get();
        Map<String, String> ci = new LinkedHashMap<>();
        ci.put("host", u.host());
        ci.put("port", Integer.toString(u.port()));
        ci.put("user", "replicator");
        ci.put("passfile", passfile);
        ci.put("application_name", node.name());
        return "# Written by pgrds: where this standby streams from.\n" + setting("primary_conninfo", conninfo(ci))
                + "\n";
    }

    /** pgrds's pg_hba.conf: local administration, replication between the cluster's nodes, then the file's rules. */
    public static String hba(DesiredCluster desired) {
        StringBuilder out = new StringBuilder();
        comment(out, "Written by pgrds for cluster " + desired.id() + ".");
        comment(out, "Do not edit: change postgres.hba in " + desired.file() + " instead.");
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
        for (String field : List.of(type, database, user, address, method)) {
            hbaField(field);
        }
        out.append(String.format("%-7s %-12s %-11s %-24s %s", type, database, user, address, method).stripTrailing())
                .append('\n');
    }

    /**
     * A pg_hba.conf field must stay one field of one line: no control character, and outside double quotes no
     * whitespace (a second field) and no {@code #} (a comment). The loader checks each field's grammar before.
     */
    private static void hbaField(String field) {
        oneLine(field, "a pg_hba.conf field");
        boolean quoted = false;
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (Character.isWhitespace(c) || c == '#')) {
                throw new IllegalArgumentException("a pg_hba.conf field would be split at " + (c == '#' ? "'#'"
                        : "a space") + ": " + Texts.show(field));
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("a pg_hba.conf field has an unclosed quote: " + Texts.show(field));
        }
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

}
