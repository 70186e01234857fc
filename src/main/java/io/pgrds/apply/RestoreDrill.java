package io.pgrds.apply;

import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.plan.ConfigFiles;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.Sessions;
import io.pgrds.util.ShellQuote;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The restore drill: the latest backup restored into a scratch directory on a node, opened, and removed, with its
 * result added to the cluster's audit trail. It proves a backup can be restored, which only a restore can.
 */
public final class RestoreDrill {
    private final Sessions sessions;
    private final Backups backups;
    private final ApplyListener listener;

    public RestoreDrill(Sessions sessions, ApplyListener listener) {
        this.sessions = sessions;
        this.backups = new Backups(sessions, listener);
        this.listener = listener;
    }

    /**
     * Restores the latest backup (and the archived WAL after it) into a scratch directory beside the node's state
     * directory, starts it with archiving off, no TCP listener and its own socket directory, checks that it
     * opens, reads the last transaction time recovery reached, then stops and removes it. The cluster's own
     * server and stanza are never touched; the scratch copy is removed even when the drill fails.
     */
    public VerifyResult verify(DesiredCluster c, Optional<String> nodeName) {
        BackupSpec spec = Backups.spec(c);
        NodeSpec s = nodeName.map(name -> c.node(name).orElseThrow(() -> new ApplyException(name
                + " is not a node of " + c.id()))).orElse(c.nodes().get(0));
        NodeOps n = backups.ops(c, s);
        String scratch = n.paths().stateDirectory() + "/verify";
        NodeSpec drill = new NodeSpec(s.name() + "-verify", s.host(), s.ssh(), s.binDir(), scratch + "/data", s.port());
        NodeOps d = new NodeOps(n.shell(), drill, c.id(), listener, false);
        Instant start = Instant.now();
        Optional<String> label = Optional.empty();
        try {
            label = backups.info(c, n).latest().map(BackupCatalog.Backup::label);
            if (label.isEmpty()) {
                throw new ApplyException("the stanza " + BackupSpec.stanza(c.id()) + " has no backup yet; take one "
                        + "with pgrds backup " + c.id());
            }
            cleanup(n, d, scratch);
            d.prepareDirectories();
            d.write(ConfigFiles.pgbackrestRestoreConfPath(drill), ConfigFiles.pgbackrestRestoreConf(c.id(),
                    spec.repository(), drill), 0600);
            Backups.linkCredentials(d, spec.repository(), true);
            listener.progress(c.id(), s.name(), "restoring backup " + label.get() + " into " + drill.dataDirectory());
            List<String> restore = Backups.pgbackrest(ConfigFiles.pgbackrestRestoreOptions(drill, spec.repository()),
                    "--stanza=" + BackupSpec.stanza(c.id()), "--set=" + label.get(), "--type=default", "restore");
            d.change("pgbackrest restore", restore, null, Duration.ofHours(12), null);
            d.change("no standby.signal", List.of("rm", "-f", drill.dataDirectory() + "/standby.signal"));
            d.change("start scratch copy", List.of(d.bin("pg_ctl"), "start", "-D", drill.dataDirectory(), "-l",
                    d.paths().serverLog(), "-w", "-t", "600", "-s", "-o", "-c archive_mode=off -c listen_addresses='' "
                    + "-c unix_socket_directories=" + ShellQuote.quote(d.paths().socketDirectory()) + " -c port="
                    + drill.port()), // pg_ctl hands -o to a shell
                    null, Duration.ofMinutes(11), null);
            Optional<String> last = Optional.empty();
            for (int i = 0; i < 1200; i++) {
                List<String> r = d.query("select pg_is_in_recovery(), coalesce(pg_last_xact_replay_timestamp()::text,"
                        + " ''), (select count(*) from pg_database)");
                if (!r.isEmpty() && r.get(0).startsWith("f|")) {
                    String[] cols = r.get(0).split("\\|", -1);
                    last = cols[1].isEmpty() ? Optional.empty() : Optional.of(cols[1]);
                    break;
                }
                Thread.sleep(500);
            }
            if (d.query("select pg_is_in_recovery()").get(0).equals("t")) {
                throw new ApplyException("the scratch copy is still recovering after 10 min");
            }
            return new VerifyResult(s.name(), true, label, last, Duration.between(start, Instant.now()),
                    Optional.empty());
        } catch (RuntimeException e) {
            return new VerifyResult(s.name(), false, label, Optional.empty(), Duration.between(start, Instant.now()),
                    Optional.of(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new VerifyResult(s.name(), false, label, Optional.empty(), Duration.between(start, Instant.now()),
                    Optional.of("interrupted"));
        } finally {
            cleanup(n, d, scratch);
        }
    }

    private static void cleanup(NodeOps n, NodeOps d, String scratch) {
        try {
            if (d.running()) {
                d.stop("immediate");
            }
        } catch (RuntimeException e) {
            // removed below either way
        }
        n.change("remove scratch copy", List.of("rm", "-rf", scratch));
    }

    /** Appends a drill's result to the audit trail on the cluster's nodes and locally. */
    public void audit(DesiredCluster c, VerifyResult r, Audit audit) {
        new AuditTrail(sessions, listener).append(c, audit);
    }
}
