package io.pgrds.apply;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.Repository;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.plan.BackupChoice;
import io.pgrds.plan.ConfigFiles;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.TransportException;
import io.pgrds.transport.target.Transport;
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
 * file (written by apply): take one on the node a plan chose, list them, and a restore drill into a scratch
 * directory.
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

    // ---- taking a backup ----

    /**
     * Takes a backup ({@code full}, {@code diff} or {@code incr}) on the node {@link io.pgrds.plan.BackupRules}
     * chose: the running primary, or with backup.fromStandby the streaming standby that has replayed the most
     * (pgBackRest's backup-standby: the files come from the standby, the primary only starts and stops the backup,
     * reached over SSH with the keys apply set up). Just before it runs, the primary is asked once more whether it
     * is one: the choice was made from an observation, and a node demoted since is not backed up from.
     */
    public BackupResult backup(DesiredCluster c, BackupChoice.Take take, String type) {
        BackupSpec spec = spec(c);
        NodeOps primary = ops(c, node(c, take.standbyOf().orElse(take.node())));
        Optional<NodeOps> standby = take.standbyOf().map(p -> ops(c, node(c, take.node())));
        take.note().ifPresent(n -> listener.notice(c.id(), n));
        stillPrimary(c, primary);
        NodeOps p = standby.orElse(primary);
        List<String> conf = ConfigFiles.pgbackrestOptions(p.node(), spec.repository());
        List<String> backupOptions = new ArrayList<>(conf);
        standby.ifPresent(s -> backupOptions.addAll(standbyOptions(c, s, primary)));
        String stanza = "--stanza=" + BackupSpec.stanza(c.id());
        listener.progress(c.id(), p.node().name(), "pgbackrest backup --type=" + type + " into repository "
                + spec.repository().name() + (standby.isPresent() ? " (from this standby; " + primary.node().name()
                + " starts and stops it)" : ""));
        Instant start = Instant.now();
        NodeShell.ExecResult r = withProgress(() -> progress(c, p, conf, stanza), () -> p.attempt(
                pgbackrest(backupOptions, stanza, "--type=" + type, "backup"), Duration.ofHours(24)));
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

    /** Runs {@code work}, calling {@code progress} every 3 s meanwhile; progress never disturbs the work. */
    private static <T> T withProgress(Runnable progress, java.util.function.Supplier<T> work) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgrds-backup-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                progress.run();
            } catch (RuntimeException e) {
                // never let progress disturb the backup
            }
        }, 3, 3, TimeUnit.SECONDS);
        try {
            return work.get();
        } finally {
            timer.shutdownNow();
        }
    }

    private static void stillPrimary(DesiredCluster c, NodeOps primary) {
        if (!primary.running() || !primary.query("select pg_is_in_recovery()").equals(List.of("f"))) {
            throw new ApplyException(primary.node().name() + " is no longer a running primary of " + c.id() + " (it "
                    + "was one a moment ago): no backup was taken. Run pgrds status, then back up again.");
        }
    }

    private static NodeSpec node(DesiredCluster c, String name) {
        return c.node(name).orElseThrow(() -> new ApplyException(name + " is not a node of " + c.id()));
    }

    /**
     * pgBackRest's options for a backup on {@code standby} (its pg1) with the primary as pg2: over SSH as
     * postgres through the wrapper apply wrote, or directly when the cluster lives on this machine.
     */
    static List<String> standbyOptions(DesiredCluster c, NodeOps standby, NodeOps primary) {
        NodeSpec p = primary.node();
        List<String> out = new ArrayList<>(List.of("--backup-standby", "--pg2-path=" + p.dataDirectory(),
                "--pg2-port=" + p.port(), "--pg2-socket-path=" + ConfigFiles.socketDirectory(p)));
        if (c.transport() == io.pgrds.transport.target.Transport.SSH) {
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
        boolean reached = false;
        for (NodeSpec s : c.nodes()) {
            try {
                return info(c, ops(c, s));
            } catch (TransportException e) {
                errors.add(s.name() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                reached = true;
                errors.add(s.name() + ": " + e.getMessage());
            }
        }
        if (!reached) {
            // nothing was applied, nothing failed on a node: none could be reached
            throw new PgrdsException(ErrorCode.UNREACHABLE, "no node of " + c.id() + " could be reached to list its "
                    + "backups: " + String.join("; ", errors) + ". Check that pgrds can reach them (pgrds status "
                    + c.id() + "), then try again.");
        }
        throw new ApplyException("no node of " + c.id() + " could list its backups: " + String.join("; ", errors));
    }

    BackupCatalog info(DesiredCluster c, NodeOps n) {
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

    NodeOps ops(DesiredCluster c, NodeSpec s) {
        return new NodeOps(sessions.shell(c.transport(), s), s, c.id(), listener, false);
    }

    static BackupSpec spec(DesiredCluster c) {
        BackupSpec spec = c.backup().orElseThrow(() -> new ApplyException(c.id() + " has no backup: in its file; "
                + "add `backup: {repository: …}` and apply first"));
        return spec;
    }
}
