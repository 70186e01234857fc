package io.pgrds.apply;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.Repository;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.plan.ConfigFiles;
import io.pgrds.transport.NodeShell;
import io.pgrds.util.ShellQuote;
import io.pgrds.transport.Sessions;
import io.pgrds.util.Json;
import io.pgrds.util.Units;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Backups of a cluster with pgBackRest, on its nodes as the postgres user, each node with its own configuration
 * file (written by apply): take one from the primary, list them, and a restore drill into a scratch directory.
 */
public final class Backups {
    private final Sessions sessions;
    private final ApplyListener listener;

    public Backups(Sessions sessions, ApplyListener listener) {
        this.sessions = sessions;
        this.listener = listener;
    }

    /** A backup was not taken because another one of the same stanza was running. */
    public static final class AlreadyRunning extends ApplyException {
        private static final long serialVersionUID = 1L;

        AlreadyRunning(String message) {
            super(message);
        }
    }

    /**
     * pgBackRest's answer when another process holds the stanza's backup lock: exit 50 (LockAcquireError) with
     * "Resource temporarily unavailable … is another pgBackRest process running?". Exit 50 also means a lock file
     * it may not open (permissions): that stays a failure.
     */
    static boolean lockHeld(NodeShell.ExecResult r) {
        String said = r.stderr() + "\n" + r.stdout();
        return r.exitCode() == 50 && (said.contains("another pgBackRest process")
                || said.contains("Resource temporarily unavailable"));
    }

    /** The outcome of a backup. */
    public record BackupResult(String node, String type, Optional<BackupCatalog.Backup> backup, Duration took,
                               boolean fromStandby) {
    }

    /** The outcome of a restore drill. */
    public record VerifyResult(String node, boolean ok, Optional<String> backupLabel, Optional<String> lastTransaction,
                               Duration took, Optional<String> error) {
    }

    // ---- taking a backup ----

    /**
     * Takes a backup ({@code full}, {@code diff} or {@code incr}) of the cluster: with {@code fromStandby}, on the
     * streaming standby that has replayed the most (pgBackRest's backup-standby: the files come from the standby,
     * the primary only starts and stops the backup, reached over SSH with the keys apply set up); otherwise, or
     * when no standby streams, from the running primary.
     */
    public BackupResult backup(DesiredCluster c, String type) {
        BackupSpec spec = spec(c);
        NodeOps primary = primary(c);
        Optional<NodeOps> standby = spec.fromStandby() ? streamingStandby(c, primary) : Optional.empty();
        if (spec.fromStandby() && standby.isEmpty()) {
            listener.notice(c.id(), "no standby of " + c.id() + " is streaming from " + primary.node().name()
                    + ": backing up from the primary");
        }
        NodeOps p = standby.orElse(primary);
        List<String> conf = ConfigFiles.pgbackrestOptions(p.node(), spec.repository());
        List<String> backupOptions = new ArrayList<>(conf);
        standby.ifPresent(s -> backupOptions.addAll(standbyOptions(c, s, primary)));
        String stanza = "--stanza=" + BackupSpec.stanza(c.id());
        listener.progress(c.id(), p.node().name(), "pgbackrest backup --type=" + type + " into repository "
                + spec.repository().name() + (standby.isPresent() ? " (from this standby; " + primary.node().name()
                + " starts and stops it)" : ""));
        Instant start = Instant.now();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgrds-backup-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                progress(c, p, conf, stanza);
            } catch (RuntimeException e) {
                // progress is a courtesy: never let it disturb the backup
            }
        }, 3, 3, TimeUnit.SECONDS);
        NodeShell.ExecResult r;
        try {
            r = p.attempt(pgbackrest(backupOptions, stanza, "--type=" + type, "backup"), Duration.ofHours(24));
        } finally {
            timer.shutdownNow();
        }
        if (!r.ok()) {
            String said = r.stderr().isBlank() ? r.stdout() : r.stderr();
            if (lockHeld(r)) {
                throw new AlreadyRunning(p.node().name() + ": a backup of " + c.id() + " is already running "
                        + "(pgBackRest's backup lock of stanza " + BackupSpec.stanza(c.id()) + " is held: another "
                        + "pgrds backup, daemon or pgBackRest run); no " + type + " backup was taken. Try again when "
                        + "it has finished.");
            }
            throw new ApplyException(p.node().name() + ": pgbackrest backup failed (exit " + r.exitCode() + "): "
                    + NodeOps.tail(said));
        }
        BackupCatalog info = info(c, p);
        Optional<BackupCatalog.Backup> newest = info.backups().isEmpty() ? Optional.empty()
                : Optional.of(info.backups().get(info.backups().size() - 1));
        return new BackupResult(p.node().name(), type, newest, Duration.between(start, Instant.now()),
                standby.isPresent());
    }

    /** The running standby streaming from {@code primary} that has replayed the most WAL, if any. */
    private Optional<NodeOps> streamingStandby(DesiredCluster c, NodeOps primary) {
        NodeOps best = null;
        long bestLsn = -1;
        for (NodeSpec s : c.nodes()) {
            if (s.name().equals(primary.node().name())) {
                continue;
            }
            try {
                NodeOps n = ops(c, s);
                if (!n.running()) {
                    continue;
                }
                List<String> row = n.query("select pg_is_in_recovery(), coalesce((select status from "
                        + "pg_stat_wal_receiver), ''), coalesce(pg_last_wal_replay_lsn() - '0/0', 0)::bigint");
                if (row.size() == 1 && row.get(0).startsWith("t|streaming|")) {
                    long lsn = Long.parseLong(row.get(0).substring("t|streaming|".length()));
                    if (lsn > bestLsn) {
                        best = n;
                        bestLsn = lsn;
                    }
                }
            } catch (RuntimeException e) {
                // not a candidate; the primary is the fallback
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * pgBackRest's options for a backup on {@code standby} (its pg1) with the primary as pg2: over SSH as
     * postgres through the wrapper apply wrote, or directly when the cluster lives on this machine.
     */
    static List<String> standbyOptions(DesiredCluster c, NodeOps standby, NodeOps primary) {
        NodeSpec p = primary.node();
        List<String> out = new ArrayList<>(List.of("--backup-standby", "--pg2-path=" + p.dataDirectory(),
                "--pg2-port=" + p.port(), "--pg2-socket-path=" + ConfigFiles.socketDirectory(p)));
        if (c.transport() == io.pgrds.desired.Transport.SSH) {
            out.addAll(List.of("--pg2-host=" + p.host(), "--pg2-host-user=postgres", "--pg2-host-port="
                    + p.ssh().port(), "--pg2-host-config=" + ConfigFiles.pgbackrestConfPath(p),
                    "--cmd-ssh=" + BackupKeys.sshWrapper(standby.node())));
        }
        return out;
    }

    private void progress(DesiredCluster c, NodeOps p, List<String> conf, String stanza) {
        NodeShell.ExecResult r = p.check(pgbackrest(conf, stanza, "--output=json", "info"));
        if (!r.ok()) {
            return;
        }
        JsonNode lock = read(r.stdout()).path(0).path("status").path("lock").path("backup");
        if (lock.path("held").asBoolean(false)) {
            long size = lock.path("size").asLong(0);
            long done = lock.path("size-cplt").asLong(0);
            listener.progress(c.id(), p.node().name(), size > 0 ? "backed up " + Units.bytes(done) + " of "
                    + Units.bytes(size) + " (" + Math.min(99, done * 100 / size) + "%)" : "backup running");
        }
    }

    // ---- listing ----

    /** The stanza's backups, read on the first node that answers. */
    public BackupCatalog info(DesiredCluster c) {
        spec(c);
        List<String> errors = new ArrayList<>();
        for (NodeSpec s : c.nodes()) {
            try {
                return info(c, ops(c, s));
            } catch (RuntimeException e) {
                errors.add(s.name() + ": " + e.getMessage());
            }
        }
        throw new ApplyException("no node of " + c.id() + " could list its backups: " + String.join("; ", errors));
    }

    private BackupCatalog info(DesiredCluster c, NodeOps n) {
        NodeShell.ExecResult r = n.check(pgbackrest(ConfigFiles.pgbackrestOptions(n.node(), spec(c).repository()),
                "--stanza=" + BackupSpec.stanza(c.id()), "--output=json", "info"));
        if (!r.ok()) {
            throw new ApplyException(n.node().name() + ": pgbackrest info failed (exit " + r.exitCode() + "): "
                    + NodeOps.tail(r.stderr().isBlank() ? r.stdout() : r.stderr()) + "; was backup configured by "
                    + "pgrds apply?");
        }
        return parseInfo(r.stdout(), spec(c).repository().name());
    }

    /**
     * Whether recovery to latest stopped short of the archive: the archive held a later segment (timelines
     * aside) when the restore began than the one the promoted server writes in, so segments in between are
     * missing.
     */
    static boolean stoppedShort(String archivedUpTo, String reached) {
        return segmentNumber(archivedUpTo).compareTo(segmentNumber(reached)) > 0;
    }

    /** A WAL file name's log and segment part, without the timeline: what orders segments across timelines. */
    private static String segmentNumber(String walFile) {
        return walFile.length() >= 24 ? walFile.substring(8, 24) : walFile;
    }

    /** Reads the JSON of {@code pgbackrest info --output=json} for one stanza. */
    static BackupCatalog parseInfo(String json, String repository) {
        try {
            return BackupCatalog.parse(json, repository);
        } catch (IllegalArgumentException e) {
            throw new ApplyException(e.getMessage());
        }
    }

    private static JsonNode read(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new ApplyException("pgbackrest info printed something that is not JSON: " + e.getMessage());
        }
    }

    // ---- the restore drill ----

    /**
     * Restores the latest backup (and the archived WAL after it) into a scratch directory beside the node's state
     * directory, starts it with archiving off, no TCP listener and its own socket directory, checks that it
     * opens, reads the last transaction time recovery reached, then stops and removes it. The cluster's own
     * server and stanza are never touched; the scratch copy is removed even when the drill fails.
     */
    public VerifyResult verify(DesiredCluster c, Optional<String> nodeName) {
        BackupSpec spec = spec(c);
        NodeSpec s = nodeName.map(name -> c.node(name).orElseThrow(() -> new ApplyException(name
                + " is not a node of " + c.id()))).orElse(c.nodes().get(0));
        NodeOps n = ops(c, s);
        String scratch = n.paths().stateDirectory() + "/verify";
        NodeSpec drill = new NodeSpec(s.name() + "-verify", s.host(), s.ssh(), s.binDir(), scratch + "/data", s.port());
        NodeOps d = new NodeOps(n.shell(), drill, c.id(), listener, false);
        Instant start = Instant.now();
        Optional<String> label = Optional.empty();
        try {
            label = info(c, n).latest().map(BackupCatalog.Backup::label);
            if (label.isEmpty()) {
                throw new ApplyException("the stanza " + BackupSpec.stanza(c.id()) + " has no backup yet; take one "
                        + "with pgrds backup " + c.id());
            }
            cleanup(n, d, scratch);
            d.prepareDirectories();
            d.write(ConfigFiles.pgbackrestRestoreConfPath(drill), ConfigFiles.pgbackrestRestoreConf(c.id(),
                    spec.repository(), drill), 0600);
            linkCredentials(d, spec.repository(), true);
            listener.progress(c.id(), s.name(), "restoring backup " + label.get() + " into " + drill.dataDirectory());
            d.change("pgbackrest restore", pgbackrest(ConfigFiles.pgbackrestRestoreOptions(drill, spec.repository()),
                    "--stanza=" + BackupSpec.stanza(c.id()), "--set=" + label.get(), "--type=default", "restore"), null,
                    Duration.ofHours(12), null);
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
        String line = audit.toJsonLine() + "\n";
        for (NodeSpec s : c.nodes()) {
            try {
                NodeOps n = ops(c, s);
                n.shell().exec(new NodeShell.Exec(List.of("sh", "-c", "umask 077; mkdir -p \"$(dirname \"$1\")\" && "
                        + "cat >> \"$1\"", "sh", n.paths().audit()), true,
                        line.getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ofSeconds(30)));
            } catch (RuntimeException e) {
                // the local copy and the other nodes still have it
            }
        }
        LocalAudit.append(line);
    }

    // ---- shared with apply ----

    /** A pgBackRest command line: the program, the configuration options, then the rest. */
    static List<String> pgbackrest(List<String> config, String... rest) {
        List<String> argv = new ArrayList<>();
        argv.add("pgbackrest");
        argv.addAll(config);
        argv.addAll(List.of(rest));
        return argv;
    }

    /**
     * Checks, as postgres on the node, that an s3 repository's credentials file and CA file are usable, without
     * reading the keys: the file exists, postgres can read it, no other user can, and it has pgBackRest's
     * {@code [global]} section with both key lines. Nothing to check for a posix repository.
     */
    static void checkCredentials(NodeOps n, Repository repository) {
        if (!(repository instanceof Repository.S3 s3)) {
            return;
        }
        String file = s3.credentialsFile();
        NodeShell.ExecResult r = n.check(List.of("sh", "-c", CHECK_CREDENTIALS, "sh", file, s3.caFile().orElse("")));
        if (r.ok()) {
            return;
        }
        String fix = "; it must be a pgBackRest configuration fragment on every node of the cluster, owned by "
                + "postgres, mode 0600:\n      [global]\n      repo1-s3-key=...\n      repo1-s3-key-secret=...";
        String where = n.node().name() + ": the credentials file " + file + " of repository " + s3.name();
        throw new ApplyException(switch (r.exitCode()) {
            case 10 -> where + " does not exist" + fix;
            case 11 -> where + " is not readable by the postgres user" + fix;
            case 12 -> where + " is readable by every user of the node; run chmod 0600 " + file;
            case 13 -> where + " has no [global] section line" + fix;
            case 14 -> where + " has no repo1-s3-key= line" + fix;
            case 15 -> where + " has no repo1-s3-key-secret= line" + fix;
            case 16 -> n.node().name() + ": the CA file " + s3.caFile().orElse("") + " of repository " + s3.name()
                    + " does not exist or is not readable by the postgres user";
            default -> where + " could not be checked (exit " + r.exitCode() + "): " + NodeOps.tail(r.stderr());
        });
    }

    private static final String CHECK_CREDENTIALS = String.join("\n",
            "[ -e \"$1\" ] || exit 10",
            "[ -r \"$1\" ] || exit 11",
            "[ -z \"$(find -L \"$1\" -maxdepth 0 -perm -o=r)\" ] || exit 12",
            "grep -q '^\\[global\\][[:space:]]*$' \"$1\" || exit 13",
            "grep -q '^repo1-s3-key[[:space:]]*=' \"$1\" || exit 14",
            "grep -q '^repo1-s3-key-secret[[:space:]]*=' \"$1\" || exit 15",
            "[ -z \"$2\" ] || [ -r \"$2\" ] || exit 16");

    /**
     * Points the node's include directory (its own, or the restore's) at an s3 repository's credentials file,
     * after checking it. pgBackRest reads the file itself on every run, so the keys never pass through pgrds and
     * a rotated key takes effect without an apply. Nothing for a posix repository: its commands name no include
     * directory, so a link left from an earlier s3 repository is never read.
     */
    static void linkCredentials(NodeOps n, Repository repository, boolean restore) {
        if (repository instanceof Repository.S3 s3) {
            checkCredentials(n, s3);
            n.change("link s3 credentials", List.of("sh", "-c", "umask 077 && mkdir -p \"$1\" && ln -sfn \"$2\" "
                    + "\"$1/$3\"", "sh", ConfigFiles.credentialsDirectory(n.node(), restore), s3.credentialsFile(),
                    ConfigFiles.CREDENTIALS_LINK));
        }
    }

    /** pgBackRest's restore options for a recovery target; {@code latest} replays all archived WAL. */
    static List<String> targetOptions(Bootstrap.RecoveryTarget t) {
        return switch (t.kind()) {
            case LATEST -> List.of("--type=default");
            case TIME -> List.of("--type=time", "--target=" + t.value(), "--target-action=promote");
            case LSN -> List.of("--type=lsn", "--target=" + t.value(), "--target-action=promote");
            case NAME -> List.of("--type=name", "--target=" + t.value(), "--target-action=promote");
        };
    }

    private NodeOps primary(DesiredCluster c) {
        List<String> tried = new ArrayList<>();
        for (NodeSpec s : c.nodes()) {
            try {
                NodeOps n = ops(c, s);
                if (n.running() && n.query("select pg_is_in_recovery()").equals(List.of("f"))) {
                    return n;
                }
                tried.add(s.name() + ": not a running primary");
            } catch (RuntimeException e) {
                tried.add(s.name() + ": " + e.getMessage());
            }
        }
        throw new ApplyException("no running primary of " + c.id() + " to back up from (" + String.join("; ", tried)
                + ")");
    }

    private NodeOps ops(DesiredCluster c, NodeSpec s) {
        return new NodeOps(sessions.shell(c.transport(), s), s, c.id(), listener, false);
    }

    private static BackupSpec spec(DesiredCluster c) {
        BackupSpec spec = c.backup().orElseThrow(() -> new ApplyException(c.id() + " has no backup: in its file; "
                + "add `backup: {repository: …}` and apply first"));
        return spec;
    }
}
