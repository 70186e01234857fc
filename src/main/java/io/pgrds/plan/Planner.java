package io.pgrds.plan;

import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.Repository;
import io.pgrds.observe.ArchiveHealth;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.NodePaths;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReplicationPeer;
import io.pgrds.observe.RestoreSource;
import io.pgrds.observe.Setting;
import io.pgrds.observe.SqlFacts;
import io.pgrds.plan.Draft.Group;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Decides what to do to make one cluster's servers match its file. A pure function of its two arguments: no
 * I/O, no clock, no randomness; the same input gives the same plan.
 *
 * <p>Read {@link #plan(DesiredCluster, ObservedCluster)} top-down: refuse on incomplete or unsafe observations,
 * decide the primary (keep, start, create, hand over, fail over), then bring every other node in line, then
 * configuration, roles and the endpoint.
 */
public final class Planner {
    /** A pinned standby further behind than this is not switched over to (the wait would block writes). */
    public static final long SWITCHOVER_MAX_LAG_BYTES = PrimaryRules.SWITCHOVER_MAX_LAG_BYTES;
    /** A WAL receiver that heard from its sender this recently (milliseconds) proves that sender alive. */
    public static final long RECEIVED_RECENTLY_MILLIS = PrimaryRules.RECEIVED_RECENTLY_MILLIS;

    private Planner() {
    }

    /** Plans every cluster of the fleet; a cluster without an observation is refused as not observed. */
    public static FleetPlan plan(DesiredFleet fleet, Map<ClusterId, ObservedCluster> observed) {
        return plan(fleet, observed, Confirmations.NONE);
    }

    /** The same, with what the operator confirmed on the command line ({@code --fenced}). */
    public static FleetPlan plan(DesiredFleet fleet, Map<ClusterId, ObservedCluster> observed,
                                 Confirmations confirmations) {
        List<ClusterPlan> plans = new ArrayList<>();
        for (DesiredCluster c : fleet.clusters()) {
            plans.add(plan(c, observed.getOrDefault(c.id(), new ObservedCluster(c.id(), List.of())), confirmations));
        }
        return new FleetPlan(fleet.commit(), plans);
    }

    public static ClusterPlan plan(DesiredCluster desired, ObservedCluster observed) {
        return plan(desired, observed, Confirmations.NONE);
    }

    /** What is dangerous in an observation, whatever the plan: two nodes accepting writes. */
    public static List<String> dangers(DesiredCluster desired, ObservedCluster observed) {
        return PrimaryRules.dangers(new Facts(desired, observed));
    }

    /**
     * Plans one cluster.
     *
     * @throws IllegalArgumentException when the desired cluster is not one the loader accepts (no nodes, or a pin
     *                                  that names no node)
     */
    public static ClusterPlan plan(DesiredCluster desired, ObservedCluster observed, Confirmations confirmations) {
        if (desired.nodes().isEmpty()) {
            throw new IllegalArgumentException(desired.id() + " has no nodes; the loader rejects such a file");
        }
        if (desired.primary().filter(p -> desired.node(p).isEmpty()).isPresent()) {
            throw new IllegalArgumentException(desired.id() + " pins " + desired.primary().get()
                    + ", which is not one of its nodes; the loader rejects such a file");
        }
        Facts f = new Facts(desired, observed, confirmations);
        List<String> dangers = PrimaryRules.dangers(f);
        List<Refusal> refusals = Checks.refusals(f);
        if (!refusals.isEmpty()) {
            return refused(f, refusals, List.of(), dangers);
        }
        Draft x = new Draft();
        String primary = PrimaryRules.decide(f, x);
        if (x.refused()) {
            return refused(f, x.refusals, x.warnings, dangers);
        }
        otherMembers(f, x, primary);
        formerMembers(f, x);
        hba(f, x, primary);
        parameters(f, x, primary);
        roles(f, x, primary);
        backup(f, x, primary);
        endpoint(f, x, primary);
        List<Action> actions = x.actions();
        x.warnings.addAll(archiving(f));
        return new ClusterPlan(desired.id(), actions, List.of(), x.warnings, decision(f, x, primary, actions),
                dangers);
    }

    private static ClusterPlan refused(Facts f, List<Refusal> refusals, List<String> warnings,
                                       List<String> dangers) {
        String codes = refusals.stream().map(r -> r.code() + r.node().map(n -> " " + n).orElse(""))
                .collect(Collectors.joining("; "));
        List<String> all = new ArrayList<>(warnings);
        all.addAll(archiving(f));
        return new ClusterPlan(f.desired.id(), List.of(), refusals, all,
                f.id + ": refused (" + codes + "), nothing will change", dangers);
    }

    /** No data anywhere: create the primary (initdb or restore) on the pinned node, else the first in the file. */
    static String bootstrap(Facts f, Draft x) {
        for (ObservedNode n : f.former) {
            if (n.state() == NodeState.UNREACHABLE || n.state() == NodeState.UNKNOWN) {
                x.refuse(Checks.formerMayHoldData(f, n));
            }
        }
        if (x.refused()) {
            return null;
        }
        String q = f.desired.bootstrapNode();
        x.settled.add(q);
        x.fresh.add(q);
        String where = f.pin.isPresent() ? q + " is pinned as primary" : q + " is the first node in the file";
        f.all.stream().flatMap(n -> n.marker().flatMap(m -> m.systemIdentifier()).stream()).findFirst()
                .ifPresent(sysid -> x.warnings.add("The markers say " + f.id + " held data before (system "
                        + "identifier " + sysid + ") but every data directory is empty now: this plan creates a NEW "
                        + "database; to get the old data back, use bootstrap.restore instead"));
        if (f.desired.bootstrap() instanceof Bootstrap.Restore r) {
            Optional<BackupCatalog.Backup> chosen = restoreBackup(f, x, r, q);
            if (chosen.isEmpty()) {
                return null;
            }
            BackupCatalog.Backup b = chosen.get();
            BackupCatalog catalog = f.restoreSource.orElseThrow().catalog().orElseThrow();
            String which = switch (r.target().kind()) {
                case LATEST -> "the newest of the " + catalog.backups().size() + " in repository "
                        + catalog.repository();
                case NAME -> "the newest of the " + catalog.backups().size() + " in repository "
                        + catalog.repository() + " (pgrds cannot tell where a named restore point lies)";
                case TIME, LSN -> "the newest of the " + catalog.backups().size() + " in repository "
                        + catalog.repository() + " that ends before the target";
            };
            // only a restore to latest must reach the archive's end; a point in time stops before it
            Optional<String> mustReach = r.target().kind() == Bootstrap.RecoveryTarget.Kind.LATEST ? catalog.walMax()
                    : Optional.empty();
            Action.RestorePrimary restore = new Action.RestorePrimary(q, r.from(), r.target(), Optional.of(b.label()),
                    mustReach, "no node of " + f.id + " holds data and the file asks for a restore; " + where
                    + "; backup " + b.label() + " (" + b.type() + ", ended " + b.stopText() + ") is "
                    + which + catalog.walMax().map(w -> "; the archive holds WAL up to " + w).orElse(""),
                    Optional.of("recovers " + r.from() + "'s backup up to " + r.target() + "; commits after that "
                            + "point are not in the new cluster"));
            x.addTold(Group.CREATE_PRIMARY, restore);
            x.headline = "restore " + q + " from " + r.from() + " (backup " + b.label() + ", " + r.target()
                    + ") as primary";
        } else {
            x.addTold(Group.CREATE_PRIMARY, new Action.InitPrimary(q, "no node of " + f.id + " holds data; "
                    + where, Optional.empty()));
            x.headline = "init " + q + " as primary";
        }
        x.primaryChanges = true;
        return q;
    }

    /**
     * The backup of the restore source that recovery to the target starts from, as the node to restore into read
     * the source's repository; refuses (and is empty) when it could not be read or no backup qualifies. Apply
     * restores exactly this backup.
     */
    private static Optional<BackupCatalog.Backup> restoreBackup(Facts f, Draft x, Bootstrap.Restore r, String node) {
        if (f.restoreSource.isEmpty() || f.restoreSource.get().catalog().isEmpty()) {
            String why = f.restoreSource.flatMap(RestoreSource::error).map(e -> ": " + String.join(" ", e.lines()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList())).orElse(" (it was not "
                    + "read: the observation of " + node + " did not include it)");
            x.refuse(Refusal.of(RefusalCode.RESTORE_SOURCE_UNREADABLE, f.id, node, "Unable to plan the restore of "
                    + f.id + ": " + node + " could not read the backups of " + r.from() + why, "Check that " + node
                    + " reaches " + r.from() + "'s repository (the path, or the s3 endpoint, its CA and "
                    + "credentials file) and that pgbackrest is installed there, then plan again."));
            return Optional.empty();
        }
        if (r.target().kind() == Bootstrap.RecoveryTarget.Kind.TIME) {
            try {
                r.target().instant();
            } catch (IllegalArgumentException e) {
                x.refuse(Refusal.of(RefusalCode.RESTORE_TARGET_AMBIGUOUS, f.id, node, "Unable to plan the restore "
                        + "of " + f.id + ": the target time " + e.getMessage() + ". Without a zone, PostgreSQL reads "
                        + "it in the restored server's time zone, and pgrds cannot tell which backup ends before it.",
                        "Add the zone offset to bootstrap.restore.target.time in " + f.desired.file() + "."));
                return Optional.empty();
            }
        }
        BackupCatalog catalog = f.restoreSource.get().catalog().get();
        if (catalog.backups().isEmpty()) {
            x.refuse(Refusal.of(RefusalCode.NO_BACKUP_FOR_TARGET, f.id, node, "Unable to plan the restore of "
                    + f.id + ": " + r.from() + " has no backup in repository " + catalog.repository()
                    + (catalog.status().isBlank() ? "" : " (pgBackRest: " + catalog.status() + ")") + ".",
                    "Take one with pgrds backup " + r.from() + ", then plan again."));
            return Optional.empty();
        }
        Optional<BackupCatalog.Backup> chosen = catalog.select(r.target());
        if (chosen.isEmpty()) {
            BackupCatalog.Backup oldest = catalog.backups().get(0);
            String end = r.target().kind() == Bootstrap.RecoveryTarget.Kind.LSN
                    ? "at LSN " + oldest.lsnStop().map(Lsn::toString).orElse("?")
                    : "at " + oldest.stopText();
            x.refuse(Refusal.of(RefusalCode.NO_BACKUP_FOR_TARGET, f.id, node, "Unable to plan the restore of "
                    + f.id + ": no backup of " + r.from() + " ends before the target " + r.target() + "; the "
                    + "oldest of the " + catalog.backups().size() + " in repository " + catalog.repository()
                    + ", " + oldest.label() + ", ends " + end + ". Recovery cannot stop before its backup ends.",
                    "Choose a later target (pgrds backups " + r.from() + " shows the restorable window), or "
                            + "restore from a repository that still holds an older backup."));
        }
        return chosen;
    }

    private static List<ObservedNode> desiredIn(Facts f, NodeState state) {
        return f.desiredNodes.stream().map(n -> f.get(n.name())).filter(n -> n.state() == state)
                .sorted(Facts.MOST_ADVANCED).toList();
    }

    private static Optional<ObservedNode> firstInFile(Facts f, NodeState state) {
        return f.desiredNodes.stream().map(n -> f.get(n.name())).filter(n -> n.state() == state).findFirst();
    }

    // ------------------------------------------------------------------ everything but the primary

    /** Every other desired node becomes a streaming standby of the primary. */
    private static void otherMembers(Facts f, Draft x, String primary) {
        ObservedNode p = f.get(primary);
        for (String name : new TreeSet<>(f.desiredNames)) {
            if (x.settled.contains(name)) {
                continue;
            }
            ObservedNode n = f.get(name);
            switch (n.state()) {
                case EMPTY -> {
                    x.add(Group.CLONE, new Action.CloneStandby(name, primary, name + " is in the file and its data "
                            + "directory is empty", Optional.of("reads " + primary + "'s whole data directory "
                            + "(pg_basebackup)")));
                    x.fresh.add(name);
                }
                case DEACTIVATED -> {
                    x.add(Group.FOLLOW, new Action.Rejoin(name, primary, name + " was deactivated and is back in the"
                            + " file: it rejoins as a standby of " + primary + " (pg_rewind when its timeline "
                            + "diverged)", Optional.of(PrimaryRules.rejoinRisk(n))));
                    x.fresh.add(name);
                }
                case STANDBY -> follow(f, x, p, n);
                default -> throw new IllegalStateException(name + " is " + n.state() + " after the checks");
            }
        }
    }

    private static void follow(Facts f, Draft x, ObservedNode p, ObservedNode n) {
        boolean promotedNow = x.primaryChanges;
        if (!promotedNow && n.timeline().isPresent() && p.timeline().isPresent()
                && n.timeline().get() > p.timeline().get()) {
            x.add(Group.FOLLOW, new Action.Rejoin(n.name(), p.name(), n.name() + " is on timeline "
                    + n.timeline().get() + ", ahead of the primary " + p.name() + " (timeline " + p.timeline().get()
                    + "): its history diverged", Optional.of("commits made on " + n.name() + " after its timeline "
                    + "diverged are discarded by pg_rewind")));
            x.fresh.add(n.name());
            return;
        }
        Optional<String> up = f.upstreamNode(n);
        if (up.isEmpty() || !up.get().equals(p.name())) {
            x.add(Group.FOLLOW, new Action.Repoint(n.name(), f.upstreamText(n), p.name(), n.name() + " streams from "
                    + f.upstreamText(n).orElse("no upstream") + " but the primary "
                    + (x.primaryChanges ? "will be " : "is ") + p.name() + (n.running() ? "" : "; it is started"),
                    Optional.of(n.name() + " restarts: connections to it are dropped")));
            return;
        }
        if (!n.running()) {
            x.add(Group.FOLLOW, new Action.StartNode(n.name(), n.name() + " is a standby of " + p.name()
                    + " but PostgreSQL is not running", Optional.empty()));
            return;
        }
        if (!promotedNow && p.running() && n.sql().isPresent()
                && !n.sql().get().walReceiverStatus().filter("streaming"::equals).isPresent()) {
            x.warnings.add(n.name() + " is a standby of " + p.name() + " but is not streaming (WAL receiver: "
                    + n.sql().get().walReceiverStatus().orElse("not running") + "); check its log: if "
                    + p.name() + " no longer has the WAL it needs, move its data directory aside to have it "
                    + "cloned again");
        }
    }

    /** Nodes that the markers list but the file no longer does: deactivated (data kept), never deleted. */
    private static void formerMembers(Facts f, Draft x) {
        for (ObservedNode n : f.former) {
            if (x.settled.contains(n.name())) {
                continue;
            }
            switch (n.state()) {
                case PRIMARY, STANDBY -> x.add(Group.DEACTIVATE_REMOVED, new Action.Deactivate(n.name(), n.name()
                        + " was removed from the file", Optional.of("data kept; " + n.name() + " stops serving "
                        + "reads")));
                case UNREACHABLE, UNKNOWN -> x.warnings.add("Cannot deactivate " + n.name() + " now: "
                        + (n.state() == NodeState.UNREACHABLE ? "unreachable" : "its state is unknown")
                        + n.error().map(e -> " (" + e + ")").orElse("") + "; the next apply will");
                case FOREIGN -> x.warnings.add(n.name() + " was removed from the file and now holds another "
                        + "cluster's data; pgrds leaves it alone");
                case DEACTIVATED, EMPTY, NO_POSTGRES -> {
                    // nothing runs and nothing is kept there
                }
                default -> throw new IllegalStateException(n.state().name());
            }
        }
    }

    // ------------------------------------------------------------------ configuration, roles, endpoint

    /** The nodes that keep their data through this plan, standbys (by name) first and the primary last. */
    private static List<String> existing(Facts f, Draft x, String primary) {
        List<String> out = new ArrayList<>();
        for (String name : new TreeSet<>(f.desiredNames)) {
            ObservedNode n = f.get(name);
            if (!x.fresh.contains(name) && n.state().holdsClusterData() && !name.equals(primary)) {
                out.add(name);
            }
        }
        if (!x.fresh.contains(primary) && f.get(primary).state().holdsClusterData()) {
            out.add(primary);
        }
        return out;
    }

    private static void hba(Facts f, Draft x, String primary) {
        String want = ConfigFiles.sha256(ConfigFiles.hba(f.desired));
        List<String> nodes = new ArrayList<>();
        for (String name : existing(f, x, primary)) {
            if (!want.equals(f.get(name).configFiles().get(ConfigFiles.HBA))) {
                nodes.add(name);
            }
        }
        // a removed primary that a new node is cloned from must let that node connect
        for (String source : new TreeSet<>(x.cloneSources)) {
            if (!f.isDesired(source) && !want.equals(f.get(source).configFiles().get(ConfigFiles.HBA))) {
                nodes.add(0, source);
            }
        }
        if (nodes.isEmpty()) {
            return;
        }
        x.add(Group.HBA, new Action.ChangeHba(nodes, "pg_hba.conf on " + String.join(", ", nodes)
                + " differs from the rules the file gives (and the cluster's node list)",
                Optional.of("reload only; new connections are checked against the new rules, open ones stay")));
    }

    private static void parameters(Facts f, Draft x, String primary) {
        List<String> nodes = existing(f, x, primary);
        Map<String, SortedMap<String, String>> wantByNode = new TreeMap<>();
        for (String name : nodes) {
            wantByNode.put(name, f.desired.node(name).map(s -> ConfigFiles.comparedParameters(f.desired, s))
                    .orElseGet(() -> ConfigFiles.clusterParameters(f.desired)));
        }
        // the value shown as "new": the primary's (archive_command names each node's own files)
        SortedMap<String, String> want = wantByNode.getOrDefault(primary, wantByNode.isEmpty()
                ? ConfigFiles.clusterParameters(f.desired) : wantByNode.values().iterator().next());
        Map<String, Map<String, Optional<String>>> oldByName = new TreeMap<>();
        List<String> drifted = new ArrayList<>();
        for (String name : nodes) {
            ObservedNode n = f.get(name);
            SortedMap<String, String> nodeWant = wantByNode.get(name);
            boolean any = false;
            TreeSet<String> keys = new TreeSet<>(nodeWant.keySet());
            n.configParameters().keySet().stream().filter(k -> !ConfigFiles.NODE_PARAMETERS.contains(k))
                    .forEach(keys::add);
            for (String k : keys) {
                Optional<String> have = Optional.ofNullable(n.configParameters().get(k));
                Optional<String> wanted = Optional.ofNullable(nodeWant.get(k));
                Optional<Setting> live = n.sql().map(s -> s.settings().get(k));
                if (!have.equals(wanted)) {
                    oldByName.computeIfAbsent(k, key -> new LinkedHashMap<>()).putIfAbsent(name, have);
                    any = true;
                } else if (live.filter(Setting::pendingRestart).isPresent()) {
                    // the file is right but the server still waits for the restart a stopped apply did not do
                    Setting s = live.get();
                    oldByName.computeIfAbsent(k, key -> new LinkedHashMap<>()).putIfAbsent(name,
                            Optional.of(s.value() + unit(s.unit())));
                    any = true;
                }
            }
            if (any) {
                drifted.add(name);
            }
        }
        if (oldByName.isEmpty()) {
            return;
        }
        List<ParameterChange> changes = new ArrayList<>();
        for (Map.Entry<String, Map<String, Optional<String>>> e : oldByName.entrySet()) {
            String k = e.getKey();
            Map<String, Optional<String>> olds = e.getValue();
            Optional<String> old = olds.containsKey(primary) ? olds.get(primary) : olds.values().iterator().next();
            Optional<Setting> context = nodes.stream().map(f::get).flatMap(n -> n.sql().stream())
                    .map(s -> s.settings().get(k)).filter(Objects::nonNull).findFirst();
            boolean pending = nodes.stream().map(f::get).flatMap(n -> n.sql().stream())
                    .map(s -> s.settings().get(k)).filter(Objects::nonNull).anyMatch(Setting::pendingRestart);
            boolean restart = context.map(s -> s.needsRestart() || pending).orElse(true);
            changes.add(new ParameterChange(k, old, Optional.ofNullable(want.get(k)), restart, context.isPresent()));
        }
        String names = changes.stream().map(ParameterChange::name).collect(Collectors.joining(", "));
        List<String> restarted = changes.stream().anyMatch(ParameterChange::restart) ? drifted : List.of();
        Optional<String> risk = restarted.isEmpty() ? Optional.empty()
                : Optional.of("restarts " + String.join(", ", restarted) + " one at a time, standbys first: each "
                + "restart drops that node's connections" + (restarted.contains(primary) ? " and pauses writes "
                + "while " + primary + " restarts" : ""));
        x.add(Group.PARAMETERS, new Action.ChangeParameters(changes, drifted, "pgrds's configuration file on "
                + String.join(", ", drifted) + " differs from the file (" + names + ")", risk));
    }

    /**
     * A cluster with {@code backup:} has the pgBackRest configuration on every node and its stanza created and
     * checked. Each node remembers the hash of the configuration it was last configured with; a node created in
     * this plan, or one whose hash differs (repository, retention, port moved), is (re)configured, after every
     * parameter change so that the primary archives with {@code archive_mode = on} by then.
     */
    private static void backup(Facts f, Draft x, String primary) {
        if (f.desired.backup().isEmpty()) {
            return;
        }
        List<String> nodes = new ArrayList<>();
        for (String name : new TreeSet<>(f.desiredNames)) {
            String want = ConfigFiles.sha256(ConfigFiles.pgbackrestConf(f.desired, f.desired.node(name).orElseThrow()));
            if (x.fresh.contains(name) || !want.equals(f.get(name).configFiles().get(ConfigFiles.PGBACKREST))) {
                nodes.add(name);
            }
        }
        if (nodes.isEmpty()) {
            return;
        }
        String stanza = io.pgrds.desired.BackupSpec.stanza(f.desired.id());
        String repository = f.desired.backup().get().repository().name();
        // pgBackRest on a standby reaches the primary over SSH as postgres: every node trusts the others
        List<String> trusted = f.desired.backup().get().fromStandby() && f.desired.nodes().size() > 1
                && f.desired.transport() == io.pgrds.desired.Transport.SSH
                ? f.desired.nodes().stream().map(io.pgrds.desired.NodeSpec::name).toList() : List.of();
        x.add(Group.BACKUP, new Action.ConfigureBackup(stanza, repository, primary, nodes, trusted, "pgBackRest on "
                + String.join(", ", nodes) + " is not configured for the file's backup (repository " + repository
                + ") yet, or differently; the stanza " + stanza + " is created where missing and checked from "
                + primary + (trusted.isEmpty() ? "" : "; for backups from a standby, postgres on every node is "
                + "given its own SSH key and trusts the other nodes' keys (authorized_keys lines marked "
                + "pgrds-backup:" + stanza + ")"),
                Optional.of("stanza-create and check change no data; a failing check stops the apply, "
                + "since WAL archiving is broken then")));
    }

    private static String unit(String unit) {
        if (unit == null || unit.isEmpty()) {
            return "";
        }
        return Character.isDigit(unit.charAt(0)) ? "×" + unit : unit;
    }

    /**
     * The roles pgrds needs, checked where they can be created: on the primary as it is now, or on the promoted
     * node after a failover. Roles replicate, so a standby's catalog tells what its primary has.
     */
    private static void roles(Facts f, Draft x, String primary) {
        List<Action> actions = x.actions();
        Optional<String> switchedFrom = actions.stream().filter(a -> a instanceof Action.Switchover)
                .map(a -> ((Action.Switchover) a).from()).findFirst();
        boolean promoted = actions.stream().anyMatch(a -> a instanceof Action.Promote);
        if (switchedFrom.isEmpty() && !promoted && x.fresh.contains(primary)) {
            if (f.desired.bootstrap() instanceof Bootstrap.Restore r) {
                x.add(Group.ROLES_ON_NEW_PRIMARY, new Action.EnsureRoles(primary, ConfigFiles.ROLES, "a restored "
                        + "cluster has the roles of " + r.from() + "; whichever of " + String.join(", ",
                        ConfigFiles.ROLES) + " is missing there is created, existing ones are left as they are",
                        Optional.empty()));
            }
            return; // initdb creates them
        }
        String node = switchedFrom.orElse(primary);
        Group group = promoted ? Group.ROLES_ON_NEW_PRIMARY : Group.ROLES_ON_CURRENT_PRIMARY;
        ObservedNode n = f.get(node);
        Optional<SqlFacts> sql = n.sql();
        if (sql.isEmpty()) {
            if (n.running()) {
                x.warnings.add("Roles not checked: pgrds could not log in to " + node
                        + n.error().map(e -> " (" + e + ")").orElse(""));
            }
            return;
        }
        List<String> missing = ConfigFiles.ROLES.stream().filter(r -> !sql.get().roles().contains(r)).toList();
        if (missing.isEmpty()) {
            return;
        }
        x.add(group, new Action.EnsureRoles(node, missing, node + " lacks the role"
                + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing) + " that pgrds needs for "
                + "replication, management and the team's own use", Optional.of("existing roles and passwords are "
                + "left as they are; a new admin password is printed once")));
    }

    private static void endpoint(Facts f, Draft x, String primary) {
        if (f.desired.service().isEmpty()) {
            return;
        }
        String service = f.desired.service().get().name();
        String why;
        if (x.primaryChanges) {
            why = "the primary " + (f.markerPrimary.isPresent() ? "moves to " : "is now ") + primary;
        } else if (f.markerPrimary.filter(primary::equals).isEmpty()) {
            why = f.markerPrimary.map(m -> "the endpoint was last registered for " + m + " but the primary is "
                    + primary).orElse("the endpoint was never registered for " + primary);
        } else {
            return;
        }
        x.add(Group.ENDPOINT, new Action.RegisterEndpoint(service, primary, why,
                Optional.of("clients of " + service + " reach " + primary + " once the name is updated")));
    }

    // ------------------------------------------------------------------ WAL archiving

    /**
     * WAL archiving that fails or falls behind changes no action, but every plan says so, refused or not: PostgreSQL
     * keeps each WAL segment until it is archived, so the node's disk fills up and then it stops. The rule and its
     * thresholds are {@link ArchiveHealth}'s; this adds what to look at and what never to do.
     */
    private static List<String> archiving(Facts f) {
        List<String> out = new ArrayList<>();
        for (ObservedNode n : f.all) {
            ArchiveHealth.of(n).filter(ArchiveHealth::problem).ifPresent(h -> out.add(archiveWarning(f, n, h)));
        }
        return out;
    }

    private static String archiveWarning(Facts f, ObservedNode n, ArchiveHealth h) {
        String name = n.name();
        boolean failing = h.verdict() == ArchiveHealth.Verdict.FAILING;
        StringBuilder w = new StringBuilder("Archiving from ").append(h.primary() ? "primary " : "standby ")
                .append(name).append(failing ? " is failing" : " is behind")
                .append(h.diskInDanger() ? " and its disk is in danger: " : ": ").append(h.situation()).append(". ");
        w.append("PostgreSQL keeps every WAL segment until it is archived, so ").append(name)
                .append("'s disk fills up ").append(h.diskInDanger() ? "soon" : "if this goes on").append(", and then ").append(name)
                .append(" stops").append(h.diskInDanger() ? ": act now. " : ". ");
        Optional<String> dataDirectory = f.desired.node(name).map(s -> s.dataDirectory())
                .or(() -> n.marker().flatMap(m -> m.members().stream().filter(x -> x.name().equals(name))
                        .map(x -> x.dataDirectory()).findFirst()));
        Optional<Repository> repository = f.desired.backup().map(b -> b.repository());
        String target = repository.map(r -> "repository " + r.name() + (r instanceof Repository.Posix p
                ? " (" + p.path() + " on " + name + ")"
                : " (bucket " + ((Repository.S3) r).bucket() + " at " + ((Repository.S3) r).endpoint() + ")"))
                .orElse("the archive_command" + n.sql().map(s -> s.settings().get("archive_command"))
                        .filter(Objects::nonNull).map(s -> " (" + s.value() + ")").orElse(""));
        if (!failing) {
            w.append("archive_command is slower than the WAL written, or hangs on a repository that does not answer: ");
        }
        w.append(failing ? "Check " : "check ").append(target);
        repository.ifPresent(r -> w.append(r instanceof Repository.Posix
                ? ": full, missing, unmounted or not writable by postgres?"
                : ": reachable, and are its credentials valid?"));
        w.append(repository.isPresent() ? " " : ". ");
        w.append(failing ? "The archiver's error is in " : "Its messages are in ")
                .append(dataDirectory.map(d -> new NodePaths(d).serverLog()).orElse("the server log")).append(" on ")
                .append(name);
        if (repository.isPresent() && f.desired.node(name).isPresent()) {
            w.append("; `pgbackrest --config=").append(ConfigFiles.pgbackrestConfPath(f.desired.node(name).get()))
                    .append(" --stanza=").append(io.pgrds.desired.BackupSpec.stanza(f.desired.id()))
                    .append(" check`, run as postgres on ").append(name).append(", tests the repository");
        }
        w.append(". Once archiving works again, PostgreSQL archives the waiting segments and removes them itself: "
                + "never delete files from pg_wal by hand.");
        return w.toString();
    }

    // ------------------------------------------------------------------ the sentence

    private static String decision(Facts f, Draft x, String primary, List<Action> actions) {
        if (actions.isEmpty()) {
            long streaming = 0;
            long others = 0;
            for (String name : f.desiredNames) {
                ObservedNode n = f.get(name);
                if (name.equals(primary)) {
                    continue;
                }
                boolean s = n.running() && n.sql().flatMap(SqlFacts::walReceiverStatus).filter("streaming"::equals)
                        .isPresent();
                if (s) {
                    streaming++;
                } else {
                    others++;
                }
            }
            return f.id + ": no action, " + primary + " primary, " + streaming + (streaming == 1 ? " standby" :
                    " standbys") + " streaming" + (others == 0 ? "" : ", " + others + " not streaming");
        }
        Map<String, List<String>> verbs = new LinkedHashMap<>();
        for (Action a : actions) {
            if (x.toldInHeadline(a)) {
                continue;
            }
            String[] vt = phrase(f, a);
            verbs.computeIfAbsent(vt[0], v -> new ArrayList<>());
            if (!vt[1].isEmpty()) {
                verbs.get(vt[0]).add(vt[1]);
            }
        }
        StringBuilder s = new StringBuilder(f.id).append(": ").append(x.headline);
        verbs.forEach((verb, targets) -> s.append(", ").append(verb)
                .append(targets.isEmpty() ? "" : " " + String.join(", ", targets)));
        return s.toString();
    }

    private static String[] phrase(Facts f, Action a) {
        return switch (a.kind()) {
            case INIT_PRIMARY, RESTORE_PRIMARY, PROMOTE, SWITCHOVER -> new String[] {a.describe(), ""};
            case CLONE_STANDBY -> new String[] {"clone", a.nodes().get(0)};
            case START_NODE -> new String[] {"start", a.nodes().get(0)};
            case FENCE -> new String[] {"fence", a.nodes().get(0)};
            case REJOIN -> new String[] {f.isDesired(a.nodes().get(0)) && f.get(a.nodes().get(0)).state()
                    == NodeState.PRIMARY ? "rejoin stale old primary" : "rejoin", a.nodes().get(0)};
            case REPOINT -> new String[] {"repoint", a.nodes().get(0)};
            case DEACTIVATE -> new String[] {"deactivate", a.nodes().get(0)};
            case CHANGE_PARAMETERS -> {
                Action.ChangeParameters c = (Action.ChangeParameters) a;
                yield new String[] {"change " + c.changes().size() + (c.changes().size() == 1 ? " parameter" :
                        " parameters") + (c.restart() ? " with restart" : ""), ""};
            }
            case CHANGE_HBA -> new String[] {"rewrite pg_hba.conf", ""};
            case ENSURE_ROLES -> new String[] {"create roles " + String.join(", ", ((Action.EnsureRoles) a).roles()),
                    ""};
            case CONFIGURE_BACKUP -> new String[] {"configure backup", ""};
            case REGISTER_ENDPOINT -> new String[] {"register endpoint", ""};
        };
    }
}
