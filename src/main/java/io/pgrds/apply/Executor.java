package io.pgrds.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.Marker;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.Observer;
import io.pgrds.plan.Action;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.ConfigFiles;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.TransportException;
import io.pgrds.util.Json;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Carries out one cluster's plan, action by action, through the nodes' shells. Every action checks its own
 * precondition and is written so that a run stopped at any point is finished by the next plan and apply with no
 * data lost: data directories being created are flagged until complete, a switchover rolls back if the target
 * does not catch up, nothing ever deletes data that pgrds did not just create itself.
 */
public final class Executor {
    private final Sessions sessions;
    private final ApplyListener listener;
    private final Options options;
    /** Other clusters of the fleet, by id: a restore reads its source's repository and secrets. */
    private final Function<ClusterId, Optional<DesiredCluster>> fleet;

    /** @param streamingTimeout how long a new or repointed standby may take to stream */
    public record Options(boolean dryRun, Duration lockTimeout, Duration streamingTimeout, String user, String host) {
        public static Options defaults(boolean dryRun) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "unknown";
            }
            return new Options(dryRun, Duration.ofMinutes(5), Duration.ofMinutes(2),
                    System.getProperty("user.name", "unknown"), host);
        }
    }

    /** The outcome of one cluster's apply. */
    public record Result(ClusterId cluster, Audit audit, boolean ok) {
    }

    public Executor(Sessions sessions, ApplyListener listener, Options options) {
        this(sessions, listener, options, id -> Optional.empty());
    }

    public Executor(Sessions sessions, ApplyListener listener, Options options,
                    Function<ClusterId, Optional<DesiredCluster>> fleet) {
        this.sessions = sessions;
        this.listener = listener;
        this.options = options;
        this.fleet = fleet;
    }

    public Result apply(DesiredCluster desired, ObservedCluster observed, ClusterPlan plan, Optional<String> commit) {
        if (plan.refused()) {
            throw new ApplyException("the plan for " + desired.id() + " was refused; nothing was applied: "
                    + plan.refusals().get(0).message());
        }
        Run run = new Run(desired, observed, commit);
        if (plan.actions().isEmpty()) {
            return new Result(desired.id(), audit(desired, commit, List.of(), "no changes"), true);
        }
        run.preflight(plan);
        List<Audit.Entry> entries = new ArrayList<>();
        String failure = null;
        // without the lock nothing at all is done (and nothing is audited: nothing happened)
        ClusterLock lock = options.dryRun() ? null : ClusterLock.acquire(run.reachable(), holder(commit),
                options.lockTimeout(), listener, desired.id(), options.host());
        try {
            FaultPoint.reached(FaultPoint.APPLY_LOCKED);
            // a restore needs the source's passwords: read over the network from now on, while the markers are
            // written and the node prepared, instead of in the restore's own path
            plan.actions().stream().filter(a -> a instanceof Action.RestorePrimary).findFirst().ifPresent(a -> run
                    .prefetchSourceSecrets(((Action.RestorePrimary) a).from()));
            if (!options.dryRun()) {
                run.writeMarkers(false);
            }
            FaultPoint.reached(FaultPoint.APPLY_CHECKED);
            for (Action action : plan.actions()) {
                Instant start = Instant.now();
                listener.actionStarted(desired.id(), action);
                try {
                    run.perform(action);
                } catch (RuntimeException e) {
                    Duration took = Duration.between(start, Instant.now());
                    String why = e instanceof TransportException ? "node unreachable: " + e.getMessage()
                            : e.getMessage();
                    listener.actionFailed(desired.id(), action, took, why);
                    entries.add(new Audit.Entry(action.describe(), "failed", took.toMillis(), Optional.of(why)));
                    failure = action.describe() + ": " + why;
                    break;
                }
                Duration took = Duration.between(start, Instant.now());
                listener.actionFinished(desired.id(), action, took);
                entries.add(new Audit.Entry(action.describe(), options.dryRun() ? "dry-run" : "done",
                        took.toMillis(), Optional.empty()));
            }
            if (!options.dryRun() && failure == null) {
                run.writeMarkers(true);
            }
        } finally {
            // never left reading over the caller's connections after the apply
            run.awaitPrefetch();
            Audit audit = audit(desired, commit, entries, failure == null ? "ok" : "failed");
            try {
                if (!options.dryRun()) {
                    run.appendAudit(audit);
                }
            } finally {
                if (lock != null) {
                    lock.close();
                }
            }
        }
        if (failure != null) {
            throw new ApplyException(desired.id() + ": " + failure + ". The actions before it are done; run "
                    + "pgrds plan to see what is left, fix the cause, then apply again.");
        }
        return new Result(desired.id(), audit(desired, commit, entries, "ok"), true);
    }

    private Audit audit(DesiredCluster desired, Optional<String> commit, List<Audit.Entry> entries, String outcome) {
        return new Audit(Instant.now().toString(), options.user(), options.host(), desired.id().toString(), commit,
                options.dryRun(), entries, outcome);
    }

    private String holder(Optional<String> commit) {
        var o = Json.mapper().createObjectNode();
        o.put("user", options.user());
        o.put("host", options.host());
        o.put("pid", ProcessHandle.current().pid());
        o.put("since", Instant.now().toString());
        o.put("commit", commit.orElse(null));
        return o.toString();
    }

    /** The recovery settings pgBackRest writes into postgresql.auto.conf, reset once a restored node is promoted. */
    private static final String RESET_RECOVERY = String.join("\n", java.util.stream.Stream.of("restore_command",
            "recovery_target", "recovery_target_time", "recovery_target_lsn", "recovery_target_name",
            "recovery_target_xid", "recovery_target_action", "recovery_target_inclusive",
            "recovery_target_timeline").map(s -> "alter system reset " + s + ";").toList())
            + "\nselect pg_reload_conf();";

    /**
     * Waits on the node itself until recovery has ended, in one psql session: it looks every 20 ms for up to a
     * minute; once promoted, it resets the recovery settings and reloads, and prints {@code f|}, the WAL file the
     * server writes in, {@code |} and the system identifier; still recovering, it prints {@code t|} and changes
     * nothing. A restored node is seen writable within a few milliseconds of its promotion, and is left without
     * its recovery settings in the same round trip.
     */
    private static final String AWAIT_PROMOTED = "do $$ begin for i in 1..3000 loop exit when not pg_is_in_recovery(); "
            + "perform pg_sleep(0.02); end loop; end $$;\n"
            + "select pg_is_in_recovery() as recovering, case when pg_is_in_recovery() then '' else "
            + "pg_walfile_name(pg_current_wal_lsn()) end as reached \\gset\n"
            + "\\if :recovering\nselect 't|';\n\\else\n" + RESET_RECOVERY + "\nselect 'f|' || :'reached' || '|' || "
            + "system_identifier from pg_control_system();\n\\endif\n";

    /** The state of one apply: the nodes, their shells, the secrets and who is primary as actions go. */
    private final class Run {
        private final DesiredCluster desired;
        private final ObservedCluster observed;
        private final Optional<String> commit;
        private final Map<String, NodeSpec> specs = new LinkedHashMap<>();
        private final Map<String, NodeOps> ops = new LinkedHashMap<>();
        private final Set<String> deactivated = new TreeSet<>();
        private Optional<String> primary;
        /** Whether this run created a data directory (initdb, restore) that the observation did not see. */
        private boolean created;
        private Secrets secrets;
        /** The restore source's passwords, being read since the apply began; null until asked for. */
        private CompletableFuture<Optional<Secrets>> sourceSecrets;
        /** The system identifier of the data this run created, when it was read on the way (a restore). */
        private Optional<String> createdSystemIdentifier = Optional.empty();

        void awaitPrefetch() {
            if (sourceSecrets != null) {
                try {
                    sourceSecrets.join();
                } catch (RuntimeException e) {
                    // what it read is no longer needed
                }
            }
        }

        /** Starts reading a restore source's passwords from its nodes in the background. */
        void prefetchSourceSecrets(ClusterId from) {
            if (sourceSecrets == null) {
                fleet.apply(from).ifPresent(source -> sourceSecrets = CompletableFuture.supplyAsync(() ->
                        sourceSecrets(source)));
            }
        }

        Run(DesiredCluster desired, ObservedCluster observed, Optional<String> commit) {
            this.desired = desired;
            this.observed = observed;
            this.commit = commit;
            desired.nodes().forEach(n -> specs.put(n.name(), n));
            Observer.formerMembers(desired, observed.nodes()).forEach(n -> specs.putIfAbsent(n.name(), n));
            primary = observed.nodes().stream().filter(n -> n.state() == NodeState.PRIMARY && n.running())
                    .map(ObservedNode::name).findFirst();
            observed.nodes().stream().filter(n -> n.state() == NodeState.DEACTIVATED).forEach(n -> deactivated
                    .add(n.name()));
        }

        /**
         * Read-only checks of what the plan's actions will need on the nodes that the observation cannot see,
         * before anything is changed: an s3 repository's credentials and CA files. A failure here leaves the
         * cluster exactly as it was.
         */
        void preflight(ClusterPlan plan) {
            for (Action action : plan.actions()) {
                try {
                    if (action instanceof Action.ConfigureBackup b) {
                        io.pgrds.desired.Repository repository = desired.backup().orElseThrow().repository();
                        for (String node : b.nodes()) {
                            Backups.checkCredentials(ops(node), repository);
                        }
                    } else if (action instanceof Action.RestorePrimary r) {
                        Optional<io.pgrds.desired.BackupSpec> source = fleet.apply(r.from())
                                .flatMap(DesiredCluster::backup);
                        if (source.isPresent()) {
                            Backups.checkCredentials(ops(r.node()), source.get().repository());
                        }
                    }
                } catch (ApplyException e) {
                    throw new ApplyException(desired.id() + ": " + e.getMessage() + "\nNothing was applied.");
                } catch (TransportException e) {
                    // unreachable now: the action that needs the node fails and says so
                }
            }
        }

        NodeOps ops(String name) {
            return ops.computeIfAbsent(name, n -> {
                NodeSpec spec = specs.get(n);
                if (spec == null) {
                    throw new ApplyException("node " + n + " is neither in " + desired.file() + " nor a former member");
                }
                return new NodeOps(sessions.shell(desired.transport(), spec), spec, desired.id(), listener,
                        options.dryRun());
            });
        }

        List<NodeOps> reachable() {
            List<NodeOps> out = new ArrayList<>();
            for (ObservedNode n : observed.nodes()) {
                if (n.state() != NodeState.UNREACHABLE && specs.containsKey(n.name())) {
                    try {
                        out.add(ops(n.name()));
                    } catch (TransportException e) {
                        // it became unreachable since the observation; the action that needs it will say so
                    }
                }
            }
            return out;
        }

        void perform(Action action) {
            // a switch expression over the kind: a new kind of action fails to compile until it is handled here
            Runnable step = switch (action.kind()) {
                case INIT_PRIMARY -> () -> initPrimary(((Action.InitPrimary) action).node());
                case RESTORE_PRIMARY -> () -> restorePrimary((Action.RestorePrimary) action);
                case CLONE_STANDBY -> () -> cloneStandby(((Action.CloneStandby) action).node(),
                        ((Action.CloneStandby) action).from());
                case START_NODE -> () -> {
                    NodeOps n = ops(((Action.StartNode) action).node());
                    if (!n.running()) {
                        n.start();
                    }
                };
                case PROMOTE -> () -> promote(((Action.Promote) action).node());
                case SWITCHOVER -> () -> switchover(((Action.Switchover) action).from(),
                        ((Action.Switchover) action).to());
                case REJOIN -> () -> rejoin(((Action.Rejoin) action).node(), ((Action.Rejoin) action).newPrimary());
                case REPOINT -> () -> repoint(((Action.Repoint) action).node(), ((Action.Repoint) action).to());
                case DEACTIVATE -> () -> deactivate(((Action.Deactivate) action).node());
                case CHANGE_PARAMETERS -> () -> changeParameters((Action.ChangeParameters) action);
                case CHANGE_HBA -> () -> changeHba((Action.ChangeHba) action);
                case ENSURE_ROLES -> () -> createRoles(ops(((Action.EnsureRoles) action).node()));
                case CONFIGURE_BACKUP -> () -> configureBackup((Action.ConfigureBackup) action);
                case REGISTER_ENDPOINT -> () -> registerEndpoint(((Action.RegisterEndpoint) action).service(),
                        ((Action.RegisterEndpoint) action).primary());
            };
            step.run();
        }

        private void changeParameters(Action.ChangeParameters a) {
            for (String node : a.nodes()) {
                NodeOps n = ops(node);
                n.write(n.node().dataDirectory() + "/pgrds.conf", ConfigFiles.postgresqlConf(desired, n.node()), 0600);
                if (n.running()) {
                    if (a.restart()) {
                        n.restart();
                    } else {
                        n.reload();
                    }
                }
            }
        }

        private void changeHba(Action.ChangeHba a) {
            for (String node : a.nodes()) {
                NodeOps n = ops(node);
                n.write(n.node().dataDirectory() + "/pg_hba.conf", ConfigFiles.hba(desired), 0600);
                if (n.running()) {
                    n.reload();
                }
            }
        }

        // ---- actions ----

        private void initPrimary(String name) {
            NodeOps n = ops(name);
            n.prepareDirectories();
            n.beginCreate("initdb");
            n.initdb();
            created = true;
            secrets = Secrets.generate();
            secrets.write(n);
            config(n, Optional.empty()).endCreate().start().run();
            createRoles(n);
            primary = Optional.of(name);
            NodeSpec s = n.node();
            listener.notice(desired.id(), "The admin password of " + desired.id() + " is shown this once (pgrds "
                    + "credentials " + desired.id() + " shows it again):\n    " + (options.dryRun() ? "(dry run)"
                    : secrets.password("admin")) + "\n  Connect with:\n    psql \"host=" + s.host() + " port="
                    + s.port() + " user=admin dbname=postgres\"");
        }

        /**
         * Restores the source cluster's backup into an empty data directory (flagged as being created until the
         * node is promoted), recovers to the target and promotes. Recovery reads the SOURCE's stanza through a
         * restore-only pgBackRest file; pgrds.conf carries this cluster's own archive_command, so nothing the
         * clone writes ever reaches the source's archive. The recovery settings pgBackRest wrote are reset once
         * promoted, so that standbys cloned from this node do not inherit them.
         */
        private void restorePrimary(Action.RestorePrimary a) {
            DesiredCluster source = fleet.apply(a.from()).orElseThrow(() -> new ApplyException("the restore "
                    + "source " + a.from() + " is not in the fleet repository"));
            io.pgrds.desired.BackupSpec backup = source.backup().orElseThrow(() -> new ApplyException("the "
                    + "restore source " + a.from() + " has no backup: in its file; there is nothing to restore"));
            NodeOps n = ops(a.node());
            // the source's passwords, read from its nodes over the network since the apply began (or from now on)
            // and joined before pgBackRest starts: reads during the restore slowed its single decompressing
            // process (measured: 0.35 s of a 5 s restore on two cores)
            prefetchSourceSecrets(a.from());
            CompletableFuture<Optional<Secrets>> fromSource = sourceSecrets != null ? sourceSecrets
                    : CompletableFuture.completedFuture(Optional.empty());
            n.batch().prepareDirectories().beginCreate("restore from " + a.from())
                    .write(ConfigFiles.pgbackrestRestoreConfPath(n.node()), ConfigFiles.pgbackrestRestoreConf(a.from(),
                            backup.repository(), n.node()), 0600)
                    .run();
            Backups.linkCredentials(n, backup.repository(), true);
            Optional<Secrets> copied = fromSource.join();
            List<String> argv = Backups.pgbackrest(ConfigFiles.pgbackrestRestoreOptions(n.node(),
                    backup.repository()), "--stanza=" + io.pgrds.desired.BackupSpec.stanza(a.from()));
            // the backup the plan named, not whichever is newest by now
            a.backup().ifPresent(label -> argv.add("--set=" + label));
            argv.addAll(Backups.targetOptions(a.target()));
            argv.add("restore");
            listener.progress(desired.id(), a.node(), "pgbackrest restore from " + a.from() + " ("
                    + a.backup().map(label -> "backup " + label + ", ").orElse("") + a.target() + ")");
            try (Progress p = Progress.watch(n, 0, desired.id(), listener, options.dryRun())) {
                n.change("pgbackrest restore", argv, null, Duration.ofHours(12), null);
            }
            created = true;
            try {
                config(n.batch().change("no standby.signal", List.of("rm", "-f", n.node().dataDirectory()
                        + "/standby.signal")), n, Optional.empty()).start().run();
            } catch (ApplyException e) {
                // recovery that fails at once (a target it cannot reach) stops the server before pg_ctl sees it up
                throw recoveryFailed(n, "did not start after the restore (" + e.getMessage() + ")");
            }
            // the server recovers on its own from here (the data directory stays flagged as being created until
            // it is promoted); the cluster's passwords are written beside it meanwhile: nothing in recovery needs them
            secrets = copied.orElseGet(Secrets::generate);
            secrets.write(n);
            if (copied.isEmpty() && !options.dryRun()) {
                // the role passwords pgrds does not know: pgrds and replicator get new ones below; admin keeps
                // the source's, which the team knows
                n.writeSecret(Secrets.file(n, "admin"), "(the admin password " + a.from() + " had at the "
                        + "restored point)\n");
                secrets = Secrets.read(n).orElse(secrets);
            }
            listener.progress(desired.id(), a.node(), "recovering to " + a.target() + ", then promoting");
            Optional<String> reached = promotedAndReset(n);
            a.archivedUpTo().ifPresent(max -> reached.filter(r -> Backups.stoppedShort(max, r)).ifPresent(r ->
                    listener.notice(desired.id(), "Recovery of " + a.node() + " ended in WAL segment " + r
                            + " (timeline and segment), but the archive of " + a.from() + " held WAL up to "
                            + max + " when planned: segments in between are missing, typically WAL a lost "
                            + "primary of " + a.from() + " never archived before a failover. " + desired.id()
                            + " has the data up to the last transaction before that gap, not the latest. A full "
                            + "backup of " + a.from() + " taken after the gap restores past it (pgrds backups "
                            + a.from() + ").")));
            if (copied.isEmpty()) {
                StringBuilder sql = new StringBuilder("set log_statement = 'none';\n");
                StringBuilder shown = new StringBuilder("set log_statement = 'none';\n");
                for (String role : List.of("pgrds", "replicator")) {
                    String stmt = "do $$ begin if exists (select 1 from pg_roles where rolname = '" + role
                            + "') then alter role " + role + " password '%s'; end if; end $$;\n";
                    sql.append(String.format(stmt, secrets.password(role)));
                    shown.append(String.format(stmt, "********"));
                }
                n.execute("new passwords for pgrds and replicator", sql.toString(), shown.toString().strip());
                listener.notice(desired.id(), "No node of " + a.from() + " gave its secrets: pgrds and replicator "
                        + "have new passwords; admin keeps the password " + a.from() + " had at the restored point.");
            }
            n.endCreate();
            primary = Optional.of(a.node());
        }

        private Optional<Secrets> sourceSecrets(DesiredCluster source) {
            for (NodeSpec s : source.nodes()) {
                try {
                    NodeOps o = new NodeOps(sessions.shell(source.transport(), s), s, source.id(), listener,
                            options.dryRun());
                    Optional<Secrets> found = Secrets.read(o);
                    if (found.isPresent()) {
                        return found;
                    }
                } catch (RuntimeException e) {
                    // unreachable or unreadable: try the next node, else new passwords
                }
            }
            return Optional.empty();
        }

        /**
         * Why a restored node's server stopped: the server log's last FATAL or PANIC lines (typically "recovery ended
         * before configured recovery target was reached": a target after the end of the archived WAL, a restore
         * point that does not exist, or WAL missing from the archive), and how to go on.
         */
        private ApplyException recoveryFailed(NodeOps n, String what) {
            String log = n.paths().serverLog();
            String said = "";
            try {
                var r = n.check(List.of("sh", "-c", "grep -E 'FATAL|PANIC' \"$1\" | tail -n 2", "sh", log));
                said = String.join(" | ", r.stdout().strip().lines().map(String::strip).toList());
            } catch (RuntimeException e) {
                // the log is the place to look anyway
            }
            return new ApplyException(n.node().name() + " " + what + (said.isEmpty() ? "" : ": " + said) + "; see "
                    + log + ". The data directory is flagged as being created: fix the target (or the archive) and "
                    + "apply again, it is restored afresh");
        }

        /**
         * Waits until a restored node has left recovery, then resets the recovery settings pgBackRest wrote and
         * reloads, in the same session; returns the WAL file the promoted server writes in (empty in a dry run).
         */
        private Optional<String> promotedAndReset(NodeOps n) {
            listener.command(desired.id(), n.node().name(), "psql <<SQL\n" + RESET_RECOVERY + "\nSQL  (once "
                    + "promoted)");
            if (options.dryRun()) {
                return Optional.empty();
            }
            long until = System.nanoTime() + Duration.ofHours(12).toNanos();
            while (System.nanoTime() < until) {
                if (!n.running()) {
                    throw recoveryFailed(n, "stopped during recovery");
                }
                try {
                    List<String> r = n.query(AWAIT_PROMOTED);
                    String last = r.isEmpty() ? "" : r.get(r.size() - 1);
                    if (last.startsWith("f|")) {
                        String[] parts = last.split("\\|", -1);
                        if (parts.length > 2 && !parts[2].isBlank()) {
                            createdSystemIdentifier = Optional.of(parts[2].strip());
                        }
                        return parts[1].isEmpty() ? Optional.empty() : Optional.of(parts[1]);
                    }
                    continue; // still recovering after a minute of waiting on the node: look again at once
                } catch (ApplyException e) {
                    // not accepting connections yet (hot_standby off), or the wait was cancelled by a recovery
                    // conflict
                }
                pause(100);
            }
            throw new ApplyException(n.node().name() + " is still recovering after 12 h; see " + n.paths()
                    .serverLog());
        }

        /**
         * Writes the pgBackRest configuration on the nodes, creates the stanza (idempotent) and checks that the
         * primary's WAL reaches the repository; then each node remembers what it was configured with.
         */
        private void configureBackup(Action.ConfigureBackup a) {
            io.pgrds.desired.BackupSpec backup = desired.backup().orElseThrow(() -> new ApplyException(
                    desired.id() + " has no backup: in its file any more; plan again"));
            for (String node : a.nodes()) {
                NodeOps n = ops(node);
                n.write(ConfigFiles.pgbackrestConfPath(n.node()), ConfigFiles.pgbackrestConf(desired, n.node()), 0600);
                n.prepareDirectories();
                Backups.linkCredentials(n, backup.repository(), false);
            }
            if (!a.trusted().isEmpty()) {
                BackupKeys.trust(a.trusted().stream().map(this::ops).toList(), a.stanza());
            } else {
                // fromStandby turned off changes every node's configuration, so every node is in the action;
                // nodes outside it are not contacted (one may be unreachable and need nothing)
                BackupKeys.untrust(a.nodes().stream().map(this::ops).toList(), a.stanza());
            }
            NodeOps p = ops(a.primary());
            if (backup.repository() instanceof io.pgrds.desired.Repository.Posix posix) {
                p.change("repository directory", List.of("mkdir", "-p", posix.path()));
            }
            List<String> conf = ConfigFiles.pgbackrestOptions(p.node(), backup.repository());
            String stanza = "--stanza=" + a.stanza();
            p.change("pgbackrest stanza-create", Backups.pgbackrest(conf, stanza, "stanza-create"));
            p.change("pgbackrest check", Backups.pgbackrest(conf, stanza, "check"), null, Duration.ofMinutes(5),
                    null);
            for (String node : a.nodes()) {
                NodeOps n = ops(node);
                n.write(n.paths().stateDirectory() + "/backup.configured", ConfigFiles.sha256(
                        ConfigFiles.pgbackrestConf(desired, n.node())) + "\n", 0600);
            }
            listener.progress(desired.id(), a.primary(), "WAL archiving into stanza " + a.stanza() + " checked");
        }

        private void cloneStandby(String name, String from) {
            NodeOps source = ops(from);
            Secrets s = secrets(source);
            NodeOps n = ops(name);
            n.prepareDirectories();
            s.write(n);
            n.beginCreate("clone from " + from);
            NodeSpec src = source.node();
            long total = options.dryRun() ? 0 : sourceSize(source);
            listener.progress(desired.id(), name, "pg_basebackup from " + from + " (WAL streamed"
                    + (total > 0 ? ", about " + io.pgrds.util.Units.bytes(total) : "") + ")");
            try (Progress p = Progress.watch(n, total, desired.id(), listener, options.dryRun())) {
                n.change("pg_basebackup", List.of("env", "PGPASSFILE=" + Secrets.passfile(n), n.bin("pg_basebackup"),
                        "-h", src.host(), "-p", Integer.toString(src.port()), "-U", "replicator", "-D",
                        n.node().dataDirectory(), "-X", "stream", "-c", "fast", "--no-password",
                        "--label=pgrds clone " + name), null, Duration.ofHours(12), null);
            }
            config(n, Optional.of(src)).endCreate().start().run();
            waitStreaming(n, from);
        }

        private long sourceSize(NodeOps source) {
            try {
                List<String> r = source.query("select sum(pg_database_size(oid))::bigint from pg_database");
                return r.isEmpty() ? 0 : Long.parseLong(r.get(0).strip());
            } catch (RuntimeException e) {
                return 0; // progress is a courtesy; the copy itself does not depend on it
            }
        }

        private void promote(String name) {
            NodeOps n = ops(name);
            if (!n.running()) {
                n.start();
            }
            FaultPoint.reached(FaultPoint.PROMOTE_FENCED);
            n.promote();
            waitWritable(n);
            FaultPoint.reached(FaultPoint.PROMOTE_PROMOTED);
            writeStandbyConf(n, Optional.empty());
            n.reload();
            primary = Optional.of(name);
            if (desired.backup().isPresent()) {
                // pgBackRest refuses archive_mode = always, so standbys do not archive what they receive
                listener.notice(desired.id(), name + " now archives into stanza " + io.pgrds.desired.BackupSpec
                        .stanza(desired.id()) + " from its new timeline. WAL the lost primary had not archived "
                        + "yet is not in the archive: take a full backup now (pgrds backup " + desired.id()
                        + " --type full) so that point-in-time restores from here on do not depend on it.");
            }
        }

        private void switchover(String from, String to) {
            NodeOps old = ops(from);
            NodeOps target = ops(to);
            if (options.dryRun()) {
                old.stop("fast");
                target.promote();
                writeStandbyConf(old, Optional.of(target.node()));
                old.start();
                return;
            }
            if (old.running()) {
                List<String> peer = old.query("select state from pg_stat_replication where application_name = '"
                        + to.replace("'", "''") + "'");
                if (peer.isEmpty() || !peer.get(0).equals("streaming")) {
                    throw new ApplyException("switchover " + from + " → " + to + " refused: " + to
                            + " is not streaming from " + from + " now; nothing was changed");
                }
                FaultPoint.reached(FaultPoint.SWITCHOVER_CHECKED);
                old.query("checkpoint");
                old.stop("fast");
            }
            FaultPoint.reached(FaultPoint.SWITCHOVER_STOPPED);
            Lsn last = finalCheckpoint(old);
            listener.progress(desired.id(), to, "waiting to replay " + from + "'s last WAL (" + last + ")");
            if (!replayedPast(target, last, Duration.ofSeconds(30))) {
                listener.progress(desired.id(), from, to + " did not catch up: starting " + from + " again as primary");
                old.start();
                throw new ApplyException("switchover " + from + " → " + to + " rolled back: " + to + " did not replay "
                        + from + "'s final WAL (" + last + ") within 30 s, so promoting it could lose commits. " + from
                        + " runs as primary again; check replication and apply again");
            }
            target.promote();
            waitWritable(target);
            FaultPoint.reached(FaultPoint.SWITCHOVER_PROMOTED);
            writeStandbyConf(target, Optional.empty());
            target.reload();
            primary = Optional.of(to);
            FaultPoint.reached(FaultPoint.SWITCHOVER_MARKED);
            // the old primary follows the new one; its WAL ends at the shutdown checkpoint, which the target
            // replayed, so no rewind is needed unless that check fails
            writeStandbyConf(old, Optional.of(target.node()));
            old.change("standby.signal", List.of("touch", old.node().dataDirectory() + "/standby.signal"));
            FaultPoint.reached(FaultPoint.SWITCHOVER_CONFIGURED);
            old.start();
            if (!streams(old, Duration.ofSeconds(20))) {
                listener.progress(desired.id(), from, "not streaming from " + to + ": rewinding with pg_rewind");
                old.stop("fast");
                rewind(old, target.node());
                old.start();
                waitStreaming(old, to);
            }
        }

        private void rejoin(String name, String newPrimary) {
            NodeOps n = ops(name);
            NodeOps p = ops(newPrimary);
            if (n.running()) {
                n.stop("fast");
            }
            FaultPoint.reached(FaultPoint.REJOIN_STOPPED);
            secrets(p).write(n);
            rewind(n, p.node());
            FaultPoint.reached(FaultPoint.REJOIN_REWOUND);
            config(n, Optional.of(p.node())).run();
            FaultPoint.reached(FaultPoint.REJOIN_CONFIGURED);
            n.start();
            waitStreaming(n, newPrimary);
            deactivated.remove(name);
        }

        private void repoint(String name, String to) {
            NodeOps n = ops(name);
            NodeOps p = ops(to);
            writeStandbyConf(n, Optional.of(p.node()));
            if (n.running()) {
                n.reload();
            } else {
                n.start();
            }
            waitStreaming(n, to);
        }

        private void deactivate(String name) {
            NodeOps n = ops(name);
            if (n.running()) {
                n.stop("fast");
            }
            FaultPoint.reached(FaultPoint.DEACTIVATE_STOPPED);
            writeMarker(n, true);
            deactivated.add(name);
            if (primary.equals(Optional.of(name))) {
                primary = Optional.empty();
            }
        }

        private void registerEndpoint(String service, String primaryName) {
            NodeSpec p = specs.get(primaryName);
            List<String> hosts = new ArrayList<>();
            for (NodeSpec s : desired.nodes()) {
                hosts.add(s.host() + ":" + s.port());
            }
            String url = "postgresql://" + String.join(",", hosts) + "/postgres?target_session_attrs=read-write";
            Optional<String> hook = desired.service().flatMap(io.pgrds.desired.ServiceSpec::hook);
            if (hook.isPresent()) {
                listener.command(desired.id(), "local", hook.get() + "  (PGRDS_SERVICE=" + service
                        + " PGRDS_PRIMARY_HOST=" + p.host() + " PGRDS_PRIMARY_PORT=" + p.port() + ")");
                if (!options.dryRun()) {
                    Hook.run(hook.get(), desired.id(), service, p);
                }
            }
            listener.notice(desired.id(), service + " → " + primaryName + " (" + p.host() + ":" + p.port()
                    + "). Clients that follow the primary by themselves connect with:\n    " + url);
        }

        // ---- steps shared by actions ----

        /**
         * A node's own configuration files (pgrds.conf, pg_hba.conf, the include, the standby file and, for a
         * standby, standby.signal) as one batch, which the caller may extend (end create, start) before running it.
         */
        private NodeOps.Batch config(NodeOps n, Optional<NodeSpec> upstream) {
            return config(n.batch(), n, upstream);
        }

        private NodeOps.Batch config(NodeOps.Batch batch, NodeOps n, Optional<NodeSpec> upstream) {
            String d = n.node().dataDirectory();
            NodeOps.Batch b = batch
                    .write(d + "/pgrds.conf", ConfigFiles.postgresqlConf(desired, n.node()), 0600)
                    .write(d + "/pg_hba.conf", ConfigFiles.hba(desired), 0600)
                    .includeOwnFiles()
                    .write(d + "/" + NodeOps.STANDBY_CONF, standbyConf(n, upstream), 0600);
            if (upstream.isPresent()) {
                b.change("standby.signal", List.of("touch", d + "/standby.signal"));
            }
            return b;
        }

        private void writeStandbyConf(NodeOps n, Optional<NodeSpec> upstream) {
            n.write(n.node().dataDirectory() + "/" + NodeOps.STANDBY_CONF, standbyConf(n, upstream), 0600);
        }

        private String standbyConf(NodeOps n, Optional<NodeSpec> upstream) {
            return upstream.map(u -> "# Written by pgrds: where this standby streams from.\n"
                    + "primary_conninfo = '" + conninfo(n, u) + "'\n")
                    .orElse("# Written by pgrds: this node is not a standby.\n");
        }

        private String conninfo(NodeOps n, NodeSpec upstream) {
            return ("host=" + upstream.host() + " port=" + upstream.port() + " user=replicator passfile="
                    + Secrets.passfile(n) + " application_name=" + n.node().name()).replace("'", "''");
        }

        private void rewind(NodeOps n, NodeSpec source) {
            n.change("pg_rewind", List.of("env", "PGPASSFILE=" + Secrets.passfile(n), n.bin("pg_rewind"),
                    "--target-pgdata=" + n.node().dataDirectory(), "--source-server=host=" + source.host() + " port="
                    + source.port() + " user=pgrds dbname=postgres"), null, Duration.ofHours(2), null);
        }

        private void createRoles(NodeOps n) {
            Secrets s = secretsOrCreate(n);
            StringBuilder sql = new StringBuilder("set log_statement = 'none';\n");
            StringBuilder shown = new StringBuilder("set log_statement = 'none';\n");
            for (String[] role : new String[][] {{"admin", "LOGIN SUPERUSER"}, {"pgrds", "LOGIN SUPERUSER"},
                    {"replicator", "LOGIN REPLICATION"}}) {
                String stmt = "do $$ begin if not exists (select 1 from pg_roles where rolname = '" + role[0]
                        + "') then create role " + role[0] + " " + role[1] + " password '%s'; end if; end $$;\n";
                sql.append(String.format(stmt, s.password(role[0])));
                shown.append(String.format(stmt, "********"));
            }
            n.execute("create roles", sql.toString(), shown.toString().strip());
        }

        /** The cluster's secrets: from memory, else from a node that has them (the primary first). */
        private Secrets secrets(NodeOps preferred) {
            if (secrets != null) {
                return secrets;
            }
            Optional<Secrets> s = Secrets.read(preferred);
            if (s.isEmpty()) {
                for (NodeOps other : reachable()) {
                    s = Secrets.read(other);
                    if (s.isPresent()) {
                        break;
                    }
                }
            }
            secrets = s.orElseThrow(() -> new ApplyException("no node of " + desired.id() + " holds the cluster's "
                    + "credentials (" + preferred.paths().secrets() + "); was it created outside pgrds? Create the "
                    + "roles admin, pgrds and replicator by hand, or restore the secrets directory"));
            return secrets;
        }

        /** Secrets for a cluster that was created outside pgrds (adopted): generated and kept on every node. */
        private Secrets secretsOrCreate(NodeOps n) {
            try {
                return secrets(n);
            } catch (ApplyException e) {
                secrets = Secrets.generate();
                for (NodeOps o : reachable()) {
                    secrets.write(o);
                }
                return secrets;
            }
        }

        private Lsn finalCheckpoint(NodeOps old) {
            var r = old.check(List.of(old.bin("pg_controldata"), "-D", old.node().dataDirectory()));
            return r.stdout().lines().filter(l -> l.startsWith("Latest checkpoint location:"))
                    .map(l -> Lsn.parse(l.substring(l.indexOf(':') + 1).strip())).findFirst()
                    .orElseThrow(() -> new ApplyException(old.node().name() + ": pg_controldata shows no checkpoint"));
        }

        private boolean replayedPast(NodeOps n, Lsn lsn, Duration timeout) {
            long until = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < until) {
                List<String> r = n.query("select pg_last_wal_replay_lsn() > '" + lsn + "'::pg_lsn");
                if (!r.isEmpty() && r.get(0).equals("t")) {
                    return true;
                }
                pause(20);
            }
            return false;
        }

        private void waitWritable(NodeOps n) {
            if (options.dryRun()) {
                return;
            }
            long until = System.nanoTime() + options.streamingTimeout().toNanos();
            while (System.nanoTime() < until) {
                List<String> r = n.query("select pg_is_in_recovery()");
                if (!r.isEmpty() && r.get(0).equals("f")) {
                    return;
                }
                pause(20);
            }
            throw new ApplyException(n.node().name() + " is still in recovery " + options.streamingTimeout()
                    .toSeconds() + " s after promotion; see " + n.paths().serverLog());
        }

        private boolean streams(NodeOps n, Duration timeout) {
            long until = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < until) {
                try {
                    List<String> r = n.query("select status from pg_stat_wal_receiver");
                    if (!r.isEmpty() && r.get(0).equals("streaming")) {
                        return true;
                    }
                } catch (ApplyException e) {
                    // still starting up
                }
                pause(200);
            }
            return false;
        }

        private void waitStreaming(NodeOps n, String from) {
            if (options.dryRun()) {
                return;
            }
            if (!streams(n, options.streamingTimeout())) {
                throw new ApplyException(n.node().name() + " does not stream from " + from + " after "
                        + options.streamingTimeout().toSeconds() + " s; see its log " + n.paths().serverLog()
                        + " (authentication, pg_hba.conf or network between the nodes)");
            }
            listener.progress(desired.id(), n.node().name(), "streaming from " + from);
        }

        // ---- what the cluster remembers ----

        void writeMarkers(boolean done) {
            for (NodeOps n : reachable()) {
                try {
                    writeMarker(n, deactivated.contains(n.node().name()));
                } catch (RuntimeException e) {
                    if (done) {
                        listener.progress(desired.id(), n.node().name(), "could not update its marker: "
                                + e.getMessage());
                    }
                }
            }
        }

        private void writeMarker(NodeOps n, boolean isDeactivated) {
            List<Marker.Member> members = new ArrayList<>();
            for (NodeSpec s : specs.values()) {
                boolean former = desired.node(s.name()).isEmpty();
                if (!former || !deactivated.contains(s.name())) {
                    members.add(new Marker.Member(s.name(), s.host(), s.ssh().port(), s.ssh().user(),
                            s.dataDirectory(), s.port(), s.binDir()));
                }
            }
            Optional<String> sysid = observed.nodes().stream().filter(o -> o.state().holdsClusterData())
                    .flatMap(o -> o.systemIdentifier().stream()).findFirst();
            if (sysid.isEmpty() && created && !options.dryRun()) {
                // nodes that were empty when observed have no control file to read until this run creates one
                sysid = createdSystemIdentifier.isPresent() ? createdSystemIdentifier : systemIdentifier(n);
            }
            Marker m = new Marker(desired.id(), sysid, isDeactivated, members, primary, commit);
            try {
                n.write(n.paths().marker(), Json.mapper().writeValueAsString(m) + "\n", 0600);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private Optional<String> systemIdentifier(NodeOps n) {
            var r = n.check(List.of(n.bin("pg_controldata"), "-D", n.node().dataDirectory()));
            return r.stdout().lines().filter(l -> l.startsWith("Database system identifier:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst();
        }

        void appendAudit(Audit audit) {
            String line = audit.toJsonLine() + "\n";
            for (NodeOps n : reachable()) {
                try {
                    n.shell().exec(new io.pgrds.transport.NodeShell.Exec(List.of("sh", "-c", "umask 077; mkdir -p "
                            + "\"$(dirname \"$1\")\" && cat >> \"$1\"", "sh", n.paths().audit()), true,
                            line.getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ofSeconds(30)));
                } catch (RuntimeException e) {
                    // the local copy and the other nodes still have it
                }
            }
            LocalAudit.append(line);
        }

        private void pause(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApplyException("interrupted");
            }
        }
    }
}
