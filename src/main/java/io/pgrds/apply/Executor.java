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
import io.pgrds.util.Sql;
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
    private final Recheck recheck;

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

    /**
     * @param fleet   other clusters of the fleet, by id: a restore reads its source's repository and secrets
     * @param recheck how the cluster is observed and planned again under the lock
     */
    public Executor(Sessions sessions, ApplyListener listener, Options options,
                    Function<ClusterId, Optional<DesiredCluster>> fleet, Recheck recheck) {
        this.sessions = sessions;
        this.listener = listener;
        this.options = options;
        this.fleet = fleet;
        this.recheck = recheck;
    }

    /**
     * Applies an approved plan: takes the cluster's lock, observes the cluster again and plans again, and goes on
     * only when that plan does exactly what the approved one does (else {@link StaleApplyException}, nothing
     * changed, no marker written). The markers are written from that fresh observation, under the lock. A dry run
     * takes no lock and shows the approved plan's commands.
     *
     * @param observed the observation the approved plan was made from
     */
    public Result apply(DesiredCluster desired, ObservedCluster observed, ClusterPlan plan, Optional<String> commit) {
        if (plan.refused()) {
            throw new ApplyException("the plan for " + desired.id() + " was refused; nothing was applied: "
                    + plan.refusals().get(0).message());
        }
        if (plan.actions().isEmpty()) {
            return new Result(desired.id(), audit(desired, commit, List.of(), "no changes"), true);
        }
        new Run(desired, observed, commit).preflight(plan);
        // without the lock nothing at all is done (and nothing is audited: nothing happened)
        ClusterLock lock = options.dryRun() ? null : ClusterLock.acquire(new Run(desired, observed, commit)
                .reachable(), holder(commit), options.lockTimeout(), listener, desired.id(), options.host());
        Run run;
        List<Audit.Entry> entries = new ArrayList<>();
        String failure = null;
        try {
            FaultPoint.reached(FaultPoint.APPLY_LOCKED);
            run = new Run(desired, options.dryRun() ? observed : recheck(desired, observed, plan, commit), commit);
        } catch (RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
        try {
            // a restore needs the source's passwords: read over the network from now on, while the markers are
            // written and the node prepared, instead of in the restore's own path
            plan.actions().stream().filter(a -> a instanceof Action.RestorePrimary).findFirst().ifPresent(a -> run
                    .prefetchSourceSecrets(((Action.RestorePrimary) a).from()));
            run.writeMarkers(false); // in a dry run: shown, not written
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
            if (failure == null) {
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

    /**
     * Under the lock: observes the cluster again and plans again; returns the fresh observation when that plan does
     * what the approved one does. Otherwise stops before anything is written: what changed on the servers, and
     * what the plan would be now.
     */
    private ObservedCluster recheck(DesiredCluster desired, ObservedCluster before, ClusterPlan approved,
                                    Optional<String> commit) {
        ObservedCluster now = recheck.observe(desired);
        ClusterPlan again = recheck.plan(desired, now);
        List<String> changed = new ArrayList<>(io.pgrds.plan.PlanDiff.differences(approved, again));
        changed.addAll(io.pgrds.plan.SavedPlan.missingBackups(approved, Optional.of(now)));
        if (changed.isEmpty()) {
            return now;
        }
        List<String> moved = io.pgrds.plan.Fingerprint.differences(before, now);
        String message = desired.id() + ": the servers changed since this plan was made"
                + (moved.isEmpty() ? "" : " (" + String.join("; ", moved) + ")") + ", and the plan is now different:\n  "
                + String.join("\n  ", changed) + "\nNothing was applied. Review the new plan with pgrds plan "
                + desired.id() + ", then apply again.";
        appendRefusedAudit(desired, now, commit, "stale: " + String.join("; ", changed));
        throw new StaleApplyException(message);
    }

    /** The history records an apply that stopped before acting, so the operator sees it; nothing else is written. */
    private void appendRefusedAudit(DesiredCluster desired, ObservedCluster now, Optional<String> commit,
                                    String why) {
        try {
            new Run(desired, now, commit).appendAudit(audit(desired, commit, List.of(new Audit.Entry(
                    "recheck under the lock", "stale", 0, Optional.of(why))), "stale"));
        } catch (RuntimeException e) {
            // the refusal itself is what matters; the history is a courtesy
        }
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
        /** Nodes fenced by this apply (stopped, or by the fence hook). */
        private final Set<String> fenced = new TreeSet<>();
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
            primary = currentPrimary(observed);
            observed.nodes().stream().filter(n -> n.state() == NodeState.DEACTIVATED).forEach(n -> deactivated
                    .add(n.name()));
        }

        /**
         * The primary as the run begins: the node running with primary data; of several (a stale old primary beside
         * the current one), the one the markers name, else the one on the highest timeline — the one the planner
         * keeps, so that the markers written before the first action never name the stale one.
         */
        private Optional<String> currentPrimary(ObservedCluster o) {
            List<ObservedNode> running = o.nodes().stream().filter(n -> n.state() == NodeState.PRIMARY
                    && n.running()).toList();
            if (running.size() <= 1) {
                return running.stream().map(ObservedNode::name).findFirst();
            }
            Optional<String> named = o.nodes().stream().flatMap(n -> n.marker().stream())
                    .filter(m -> m.cluster().equals(desired.id())).flatMap(m -> m.primary().stream())
                    .filter(p -> running.stream().anyMatch(n -> n.name().equals(p))).findFirst();
            return named.or(() -> running.stream().max(java.util.Comparator.comparing((ObservedNode n) -> n.timeline()
                    .orElse(Integer.MIN_VALUE))).map(ObservedNode::name));
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
                case START_NODE -> () -> startNode(((Action.StartNode) action).node());
                case FENCE -> () -> fence((Action.Fence) action);
                case PROMOTE -> () -> promote((Action.Promote) action);
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
                    String stmt = "do $$ begin if exists (select 1 from pg_roles where rolname = " + Sql.literal(role)
                            + ") then alter role " + Sql.identifier(role) + " password %s; end if; end $$;\n";
                    sql.append(String.format(stmt, Sql.literal(secrets.password(role))));
                    shown.append(String.format(stmt, "'********'"));
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
            copyFrom(n, source, "clone from " + from);
            config(n, Optional.of(source.node())).endCreate().start().run();
            waitStreaming(n, from);
        }

        /**
         * pg_basebackup from {@code source} into the node's empty data directory, flagged as being created (the
         * caller ends the create once the node's own configuration is written).
         */
        private void copyFrom(NodeOps n, NodeOps source, String what) {
            n.beginCreate(what);
            NodeSpec src = source.node();
            long total = options.dryRun() ? 0 : sourceSize(source);
            listener.progress(desired.id(), n.node().name(), "pg_basebackup from " + src.name() + " (WAL streamed"
                    + (total > 0 ? ", about " + io.pgrds.util.Units.bytes(total) : "") + ")");
            try (Progress p = Progress.watch(n, total, desired.id(), listener, options.dryRun())) {
                n.change("pg_basebackup", List.of("env", "PGPASSFILE=" + Secrets.passfile(n), n.bin("pg_basebackup"),
                        "-h", src.host(), "-p", Integer.toString(src.port()), "-U", "replicator", "-D",
                        n.node().dataDirectory(), "-X", "stream", "-c", "fast", "--no-password",
                        "--label=pgrds clone " + n.node().name()), null, Duration.ofHours(12), null);
            }
        }

        private long sourceSize(NodeOps source) {
            try {
                List<String> r = source.query("select sum(pg_database_size(oid))::bigint from pg_database");
                return r.isEmpty() ? 0 : Long.parseLong(r.get(0).strip());
            } catch (RuntimeException e) {
                return 0; // progress is a courtesy; the copy itself does not depend on it
            }
        }

        /**
         * Starts a stopped node. A node holding primary data (no standby.signal) is started only while no other node
         * of the cluster runs as a primary: checked on the servers right before, since a promotion elsewhere since
         * the plan would make it a second one.
         */
        private void startNode(String name) {
            NodeOps n = ops(name);
            if (n.running()) {
                return;
            }
            if (!options.dryRun() && !n.exists(n.node().dataDirectory() + "/standby.signal")) {
                for (NodeOps other : reachable()) {
                    String o = other.node().name();
                    if (o.equals(name) || fenced.contains(o)) {
                        continue;
                    }
                    boolean writable;
                    try {
                        writable = other.running() && other.query("select pg_is_in_recovery()").equals(List.of("f"));
                    } catch (ApplyException | TransportException e) {
                        writable = false; // not answering SQL: not accepting writes either
                    }
                    if (writable) {
                        throw new ApplyException("start " + name + " refused: it holds primary data and " + o + " runs "
                                + "as a primary now; starting it would make two. Nothing was changed; plan again.");
                    }
                }
            }
            n.start();
        }

        /**
         * Makes sure a node cannot accept writes: stops its server (fast, else immediate), or runs the cluster's fence
         * hook, which must exit 0. Either way the node counts as fenced for the rest of this apply.
         */
        private void fence(Action.Fence a) {
            if (a.method() == Action.Fence.Method.HOOK) {
                String hook = a.hook().orElseThrow(() -> new ApplyException("the plan fences " + a.node() + " with "
                        + "a hook but names none; plan again"));
                NodeSpec spec = specs.get(a.node());
                if (spec == null) {
                    throw new ApplyException("pgrds knows no address of " + a.node() + " to give the fence hook; "
                            + "plan again");
                }
                listener.command(desired.id(), "local", hook + "  (PGRDS_NODE=" + a.node() + " PGRDS_NODE_HOST="
                        + spec.host() + " PGRDS_NODE_PORT=" + spec.port() + ")");
                if (!options.dryRun()) {
                    Hook.fence(hook, desired.id(), spec, Duration.ofMinutes(5));
                }
                listener.progress(desired.id(), a.node(), "fenced by the hook " + hook);
            } else {
                NodeOps n = ops(a.node());
                if (n.running()) {
                    try {
                        n.stop("fast");
                    } catch (ApplyException e) {
                        // a server that does not stop in time must still stop: nothing is lost by an immediate
                        // stop, the next start recovers from its WAL
                        n.change("stop immediately", List.of(n.bin("pg_ctl"), "stop", "-D", n.node().dataDirectory(),
                                "-m", "immediate", "-w", "-t", "60", "-s"));
                    }
                }
                if (!options.dryRun() && n.running()) {
                    throw new ApplyException(a.node() + " still runs after pg_ctl stop; stop it by hand (it must not "
                            + "accept writes beside the primary), then apply again");
                }
            }
            fenced.add(a.node());
            deactivatedOrStopped(a.node());
        }

        private void deactivatedOrStopped(String name) {
            if (primary.equals(Optional.of(name))) {
                primary = Optional.empty();
            }
        }

        /**
         * Promotes a standby in place of a lost primary. Right before it, the precondition is checked again on the
         * servers: the former primary, when it can be reached, does not run as a primary; when it cannot, it was
         * fenced by this apply's hook or by the operator's word; and the standby does not hear from a live sender.
         */
        private void promote(Action.Promote a) {
            NodeOps n = ops(a.node());
            // read-only: a dry run checks them too
            formerCannotWrite(a);
            notReceivingFromALiveSender(n, a);
            FaultPoint.reached(FaultPoint.PROMOTE_FENCED);
            if (!n.running()) {
                n.start();
            }
            n.promote();
            waitWritable(n);
            FaultPoint.reached(FaultPoint.PROMOTE_PROMOTED);
            writeStandbyConf(n, Optional.empty());
            n.reload();
            primary = Optional.of(a.node());
            // from here on every node's marker names the new primary: an apply stopped now resumes from there
            writeMarkers(false);
            if (desired.backup().isPresent()) {
                // pgBackRest refuses archive_mode = always, so standbys do not archive what they receive
                listener.notice(desired.id(), a.node() + " now archives into stanza " + io.pgrds.desired.BackupSpec
                        .stanza(desired.id()) + " from its new timeline. WAL the lost primary had not archived "
                        + "yet is not in the archive: take a full backup now (pgrds backup " + desired.id()
                        + " --type full) so that point-in-time restores from here on do not depend on it.");
            }
        }

        /** The former primary may not accept writes when a standby is promoted in its place. */
        private void formerCannotWrite(Action.Promote a) {
            if (a.formerPrimary().isEmpty() || fenced.contains(a.formerPrimary().get())) {
                return;
            }
            String former = a.formerPrimary().get();
            if (!specs.containsKey(former)) {
                if (a.fencing() == Action.Promote.Fencing.OPERATOR) {
                    return;
                }
                throw new ApplyException("promote " + a.node() + " refused: pgrds cannot check the former primary "
                        + former + " and it was not fenced; nothing was changed");
            }
            NodeOps f;
            boolean runsAsPrimary;
            try {
                f = ops(former);
                runsAsPrimary = f.running() && !f.query("select pg_is_in_recovery()").equals(List.of("t"));
            } catch (TransportException | ApplyException e) {
                if (a.fencing() == Action.Promote.Fencing.OPERATOR) {
                    return; // the operator's word: it is fenced; the standby's side is checked next
                }
                throw new ApplyException("promote " + a.node() + " refused: the former primary " + former + " was "
                        + (a.fencing() == Action.Promote.Fencing.HOOK ? "to be fenced by the hook first"
                        : "seen stopped when planned") + ", and pgrds cannot check it now (" + e.getMessage()
                        + "); it may have started again. Nothing was changed; plan again.");
            }
            if (runsAsPrimary) {
                throw new ApplyException("promote " + a.node() + " refused: the former primary " + former + " runs "
                        + "as a primary now; nothing was changed. Plan again: pgrds hands over from it without loss.");
            }
        }

        /**
         * A standby that streams, or heard from its sender within {@link io.pgrds.plan.Planner#RECEIVED_RECENTLY_MILLIS}, proves the
         * sender alive: nothing is promoted then, unless the sender was fenced by this apply, or is the former
         * primary the operator said is fenced and the last message is older than that.
         */
        private void notReceivingFromALiveSender(NodeOps n, Action.Promote a) {
            List<String> r = n.query("select coalesce(status, '') || '|' || coalesce(sender_host || ':' || "
                    + "sender_port, '') || '|' || coalesce((extract(epoch from now() - last_msg_receipt_time) * 1000)"
                    + "::bigint::text, '') from pg_stat_wal_receiver");
            if (r.isEmpty()) {
                return;
            }
            String[] f = r.get(0).split("\\|", -1);
            boolean streaming = f[0].equals("streaming");
            long age = f.length > 2 && !f[2].isEmpty() ? Long.parseLong(f[2]) : Long.MAX_VALUE;
            if (!streaming && age > io.pgrds.plan.Planner.RECEIVED_RECENTLY_MILLIS) {
                return;
            }
            String sender = f.length > 1 ? f[1] : "";
            Optional<String> senderNode = specs.values().stream().filter(s -> (s.host() + ":" + s.port()).equals(
                    sender)).map(NodeSpec::name).findFirst();
            if (senderNode.isPresent() && fenced.contains(senderNode.get())) {
                return;
            }
            if (senderNode.isPresent() && senderNode.equals(a.formerPrimary())
                    && a.fencing() == Action.Promote.Fencing.OPERATOR && age > io.pgrds.plan.Planner.RECEIVED_RECENTLY_MILLIS) {
                return;
            }
            if (senderNode.isPresent() && senderNode.equals(a.formerPrimary())
                    && a.fencing() == Action.Promote.Fencing.SEEN_STOPPED) {
                NodeOps former = ops(senderNode.get());
                if (!former.running()) {
                    return; // stopped: the receiver has not noticed yet
                }
            }
            throw new ApplyException("promote " + a.node() + " refused: " + a.node() + " "
                    + (streaming ? "streams" : "received WAL") + " from " + senderNode.orElse(sender)
                    + (age == Long.MAX_VALUE ? "" : " (last message " + age + " ms ago)") + ", which is alive as a "
                    + "primary; promoting now would make two primaries. Nothing was changed. Stop or fence "
                    + senderNode.orElse(sender) + " first, then plan again.");
        }

        /**
         * Planned handover without loss. The old primary is checkpointed and stopped cleanly (or, when an earlier
         * apply was interrupted right after that, found so); the target replays its shutdown checkpoint; then it is
         * promoted, the markers name it, and the old primary follows it as a standby (rewound only when it cannot).
         * Every step checks its precondition on the servers first: a primary that stopped by itself (crashed) is
         * never handed over from, since its last commits may be only on its disk.
         */
        private void switchover(String from, String to) {
            NodeOps old = ops(from);
            NodeOps target = ops(to);
            if (options.dryRun()) {
                // the same changes in the same order; the waits in between (streaming, replay, writable) are reads
                listener.command(desired.id(), from, "psql -c checkpoint");
                old.stop("fast");
                target.promote();
                writeStandbyConf(target, Optional.empty());
                target.reload();
                primary = Optional.of(to);
                writeMarkers(false);
                config(old, Optional.of(target.node())).run();
                old.start();
                return;
            }
            if (old.running()) {
                if (!peerStreams(old, to, Duration.ofSeconds(60))) {
                    throw new ApplyException("switchover " + from + " → " + to + " refused: " + to + " is not "
                            + "streaming from " + from + " (waited 60 s); nothing was changed. Check " + to
                            + "'s log " + target.paths().serverLog() + ", then plan again.");
                }
                FaultPoint.reached(FaultPoint.SWITCHOVER_CHECKED);
                old.query("checkpoint");
                old.stop("fast");
            }
            Control c = control(old);
            if (!c.shutDownCleanly()) {
                // it stopped by itself: what it wrote after its last checkpoint is only on its own disk
                listener.progress(desired.id(), from, "not shut down cleanly (" + c.state() + "): starting it again");
                old.start();
                throw new ApplyException("switchover " + from + " → " + to + " refused: " + from + " stopped "
                        + "without a clean shutdown (" + c.state() + "), so its last commits may be only on its disk. "
                        + from + " runs as primary again; plan again to hand over once " + to + " has caught up.");
            }
            FaultPoint.reached(FaultPoint.SWITCHOVER_STOPPED);
            listener.progress(desired.id(), to, "waiting to replay " + from + "'s last WAL (" + c.checkpoint() + ")");
            if (!replayedPast(target, c.checkpoint(), Duration.ofSeconds(30))) {
                listener.progress(desired.id(), from, to + " did not catch up: starting " + from + " again as primary");
                old.start();
                throw new ApplyException("switchover " + from + " → " + to + " rolled back: " + to + " did not replay "
                        + from + "'s final WAL (" + c.checkpoint() + ") within 30 s, so promoting it could lose "
                        + "commits. " + from + " runs as primary again; check replication and apply again");
            }
            target.promote();
            waitWritable(target);
            FaultPoint.reached(FaultPoint.SWITCHOVER_PROMOTED);
            writeStandbyConf(target, Optional.empty());
            target.reload();
            primary = Optional.of(to);
            // from here on every node's marker names the new primary: an apply stopped now resumes from there
            writeMarkers(false);
            FaultPoint.reached(FaultPoint.SWITCHOVER_MARKED);
            // the old primary follows the new one; its WAL ends at the shutdown checkpoint, which the target
            // replayed, so no rewind is needed unless that check fails
            config(old, Optional.of(target.node())).run();
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
                    .write(d + "/" + ConfigFiles.STANDBY_CONF, standbyConf(n, upstream), 0600);
            if (upstream.isPresent()) {
                b.change("standby.signal", List.of("touch", d + "/standby.signal"));
            }
            return b;
        }

        private void writeStandbyConf(NodeOps n, Optional<NodeSpec> upstream) {
            n.write(n.node().dataDirectory() + "/" + ConfigFiles.STANDBY_CONF, standbyConf(n, upstream), 0600);
        }

        private String standbyConf(NodeOps n, Optional<NodeSpec> upstream) {
            return ConfigFiles.standbyConf(n.node(), upstream, Secrets.passfile(n));
        }

        /**
         * pg_rewind from {@code source}, then the node's own configuration files again: pg_rewind copies the
         * source's (its listen address, its port, its primary_conninfo), with which the node could not start as
         * itself. Ends configured as a standby of {@code source}, not started.
         */
        private void rewind(NodeOps n, NodeSpec source) {
            Map<String, String> server = new LinkedHashMap<>();
            server.put("host", source.host());
            server.put("port", Integer.toString(source.port()));
            server.put("user", "pgrds");
            server.put("dbname", "postgres");
            checkpointAfterPromotion(ops(source.name()));
            boolean copied = false;
            try {
                n.change("pg_rewind", List.of("env", "PGPASSFILE=" + Secrets.passfile(n), n.bin("pg_rewind"),
                        "--target-pgdata=" + n.node().dataDirectory(), "--source-server="
                        + ConfigFiles.conninfo(server)), null, Duration.ofHours(2), null);
            } catch (ApplyException e) {
                if (!walGone(e.getMessage())) {
                    throw e;
                }
                // the node's own WAL back to the last common checkpoint was recycled: it cannot be rewound, only
                // copied afresh. Its data directory is moved aside, never deleted: what it held beyond the point
                // where the timelines parted stays there for whoever needs it
                String aside = n.node().dataDirectory() + ".before-rejoin-" + java.time.LocalDateTime.now(
                        java.time.ZoneOffset.UTC).format(java.time.format.DateTimeFormatter.ofPattern(
                        "yyyyMMdd-HHmmss"));
                listener.progress(desired.id(), n.node().name(), "pg_rewind cannot rewind it (the WAL it needs is gone): "
                        + "moving the data directory aside to " + aside + " and copying it afresh from " + source.name());
                n.change("move the data directory aside", List.of("mv", "-T", n.node().dataDirectory(), aside));
                n.prepareDirectories();
                copyFrom(n, ops(source.name()), "copy from " + source.name() + " after a failed rewind");
                copied = true;
                listener.notice(desired.id(), n.node().name() + " could not be rewound (" + NodeOps.tail(e.getMessage())
                        + "), so it was copied afresh from " + source.name() + ". Its former data directory is kept at "
                        + aside + " on " + n.node().host() + ": remove it once nobody needs what it held.");
            }
            FaultPoint.reached(FaultPoint.REJOIN_REWOUND);
            NodeOps.Batch own = config(n, Optional.of(source));
            (copied ? own.endCreate() : own).run();
            FaultPoint.reached(FaultPoint.REJOIN_CONFIGURED);
        }

        /** pg_rewind's own words for WAL of the target that is no longer there (recycled after a checkpoint). */
        private static boolean walGone(String message) {
            String m = String.valueOf(message);
            return m.contains("could not find previous WAL record") || m.contains("could not read WAL record")
                    || (m.contains("pg_wal/") && m.contains("No such file or directory"));
        }

        private void createRoles(NodeOps n) {
            Secrets s = secretsOrCreate(n);
            StringBuilder sql = new StringBuilder("set log_statement = 'none';\n");
            StringBuilder shown = new StringBuilder("set log_statement = 'none';\n");
            for (String[] role : new String[][] {{"admin", "LOGIN SUPERUSER"}, {"pgrds", "LOGIN SUPERUSER"},
                    {"replicator", "LOGIN REPLICATION"}}) {
                String stmt = "do $$ begin if not exists (select 1 from pg_roles where rolname = " + Sql.literal(role[0])
                        + ") then create role " + Sql.identifier(role[0]) + " " + role[1] + " password %s; end if; "
                        + "end $$;\n";
                sql.append(String.format(stmt, Sql.literal(s.password(role[0]))));
                shown.append(String.format(stmt, "'********'"));
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

        /**
         * A checkpoint on the source of a rewind, which may have been promoted a moment ago: until one completes,
         * pg_control still names its old timeline, and pg_rewind (PostgreSQL 15) would take the two for one history.
         * Not done right after every promotion: under heavy writes it would let the new primary recycle the WAL its
         * old primary needs to follow it (wal_keep_size gives that slack).
         */
        private void checkpointAfterPromotion(NodeOps n) {
            if (!options.dryRun()) {
                n.query("checkpoint");
            } else {
                listener.command(desired.id(), n.node().name(), "psql -c checkpoint");
            }
        }

        /** What pg_controldata says of a stopped server: how it stopped, and its last checkpoint. */
        private record Control(String state, Lsn checkpoint) {
            boolean shutDownCleanly() {
                return state.equals("shut down");
            }
        }

        private Control control(NodeOps old) {
            var r = old.check(List.of(old.bin("pg_controldata"), "-D", old.node().dataDirectory()));
            String state = field(r.stdout(), "Database cluster state").orElse("unknown");
            Lsn checkpoint = field(r.stdout(), "Latest checkpoint location").map(Lsn::parse)
                    .orElseThrow(() -> new ApplyException(old.node().name() + ": pg_controldata shows no checkpoint ("
                            + NodeOps.tail(r.stderr()) + ")"));
            return new Control(state, checkpoint);
        }

        private static Optional<String> field(String controldata, String label) {
            return controldata.lines().filter(l -> l.startsWith(label + ":"))
                    .map(l -> l.substring(label.length() + 1).strip()).findFirst();
        }

        /** Waits until {@code primary} sees {@code standby} streaming (it may just have been started). */
        private boolean peerStreams(NodeOps primary, String standby, Duration timeout) {
            long until = System.nanoTime() + timeout.toNanos();
            while (true) {
                List<String> peer = primary.query("select state from pg_stat_replication where application_name = "
                        + Sql.literal(standby));
                if (!peer.isEmpty() && peer.get(0).equals("streaming")) {
                    return true;
                }
                if (System.nanoTime() > until) {
                    return false;
                }
                pause(100);
            }
        }

        private boolean replayedPast(NodeOps n, Lsn lsn, Duration timeout) {
            long until = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < until) {
                List<String> r = n.query("select pg_last_wal_replay_lsn() > " + Sql.literal(lsn.toString()) + "::pg_lsn");
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
