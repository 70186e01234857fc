package io.pgrds.plan;

import static io.pgrds.plan.ConfText.comment;
import static io.pgrds.plan.ConfText.oneLine;

import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.Repository;
import io.pgrds.observe.NodePaths;
import java.util.List;

/**
 * pgBackRest's ini files on a node: one for the node's own cluster's stanza, one a restore reads for its source's;
 * where they are, and the options that point pgBackRest at them.
 */
final class PgBackRestConf {
    private PgBackRestConf() {
    }

    /** Beside the data directory, so nodes sharing a machine do not share it. */
    static String path(NodeSpec node) {
        return NodePaths.of(node).stateDirectory() + "/pgbackrest.conf";
    }

    /** The file a restore into the node reads. */
    static String restorePath(NodeSpec node) {
        return NodePaths.of(node).stateDirectory() + "/pgbackrest-restore.conf";
    }

    /**
     * Where the link to an s3 repository's credentials file lives: a directory of its own for the node's stanza
     * and one for a restore's source, since the two repositories may use different keys.
     */
    static String credentialsDirectory(NodeSpec node, boolean restore) {
        return NodePaths.of(node).stateDirectory() + (restore ? "/pgbackrest-restore.d" : "/pgbackrest.d");
    }

    /**
     * The options that point pgBackRest at the node's configuration, for its own stanza or for a restore: the file,
     * and for an s3 repository the directory holding the link to the credentials file (pgBackRest reads every
     * {@code *.conf} there), so the keys stay in the file the operator placed on the node and are never copied.
     */
    static List<String> options(NodeSpec node, Repository repository, boolean restore) {
        String conf = restore ? restorePath(node) : path(node);
        return repository instanceof Repository.S3
                ? List.of("--config=" + conf, "--config-include-path=" + credentialsDirectory(node, restore))
                : List.of("--config=" + conf);
    }

    /**
     * One node's file for its own cluster's stanza. Logs, locks and the spool live in the node's state directory;
     * the stanza is the cluster's slug.
     */
    static String file(DesiredCluster desired, NodeSpec node) {
        BackupSpec backup = desired.backup().orElseThrow(() -> new IllegalArgumentException(desired.id()
                + " has no backup"));
        StringBuilder out = new StringBuilder();
        comment(out, "Written by pgrds for cluster " + desired.id() + ", node " + node.name() + ".");
        comment(out, "Do not edit: change backup in " + desired.file() + " (and repositories in "
                + "clusters/defaults.yaml) instead.");
        out.append("[global]\n");
        global(out, backup.repository(), node);
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
        stanza(out, BackupSpec.stanza(desired.id()), node);
        return out.toString();
    }

    /**
     * The file a restore reads: the source cluster's repository and stanza, with this node's data directory.
     * pgBackRest names this file in the {@code restore_command} it writes, so recovery reads the source's archive
     * while the new cluster archives into its own stanza.
     */
    static String restoreFile(ClusterId source, Repository repository, NodeSpec node) {
        StringBuilder out = new StringBuilder();
        comment(out, "Written by pgrds: restore of " + source + " into node " + node.name() + ".");
        comment(out, "Read by recovery (restore_command) only; this node archives through pgbackrest.conf.");
        out.append("[global]\n");
        global(out, repository, node);
        out.append('\n');
        stanza(out, BackupSpec.stanza(source), node);
        return out.toString();
    }

    private static void global(StringBuilder out, Repository repository, NodeSpec node) {
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

    private static void stanza(StringBuilder out, String stanza, NodeSpec node) {
        out.append('[').append(oneLine(stanza, "a pgBackRest stanza")).append("]\n");
        ini(out, "pg1-path", node.dataDirectory());
        ini(out, "pg1-port", Integer.toString(node.port()));
        ini(out, "pg1-socket-path", NodePaths.of(node).socketDirectory());
    }

    /**
     * One {@code key=value} line of pgBackRest's ini file. Its values are not quoted (pgBackRest reads the rest of
     * the line as the value), so one that would end the line is refused.
     */
    private static void ini(StringBuilder out, String key, String value) {
        out.append(oneLine(key, "a pgBackRest option")).append('=')
                .append(oneLine(value, "the pgBackRest option " + key)).append('\n');
    }
}
