package io.pgrds.plan;

import io.pgrds.transport.target.Transport;
import io.pgrds.desired.Bootstrap;
import io.pgrds.observe.ObservedNode;
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

/** Configuration on the nodes that keep their data: pg_hba.conf, parameters, backups, roles, the endpoint. */
final class ConfigRules {
    private ConfigRules() {
    }

    /** The nodes that keep their data through this plan, standbys (by name) first and the primary last. */
    static List<String> existing(Facts f, Draft x, String primary) {
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

    static void hba(Facts f, Draft x, String primary) {
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

    static void parameters(Facts f, Draft x, String primary) {
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
            if (drift(f.get(name), wantByNode.get(name), oldByName)) {
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
     * Whether one node's parameters differ from what it should have: each differing parameter goes into
     * {@code oldByName} with the node's value (absent when unset), and so does one whose file is right but whose
     * server still waits for the restart a stopped apply did not do.
     */
    private static boolean drift(ObservedNode n, SortedMap<String, String> nodeWant,
                                 Map<String, Map<String, Optional<String>>> oldByName) {
        boolean any = false;
        TreeSet<String> keys = new TreeSet<>(nodeWant.keySet());
        n.configParameters().keySet().stream().filter(k -> !ConfigFiles.NODE_PARAMETERS.contains(k))
                .forEach(keys::add);
        for (String k : keys) {
            Optional<String> have = Optional.ofNullable(n.configParameters().get(k));
            Optional<Setting> live = n.sql().map(s -> s.settings().get(k));
            if (!have.equals(Optional.ofNullable(nodeWant.get(k)))) {
                oldByName.computeIfAbsent(k, key -> new LinkedHashMap<>()).putIfAbsent(n.name(), have);
                any = true;
            } else if (live.filter(Setting::pendingRestart).isPresent()) {
                Setting s = live.get();
                oldByName.computeIfAbsent(k, key -> new LinkedHashMap<>()).putIfAbsent(n.name(),
                        Optional.of(s.value() + unit(s.unit())));
                any = true;
            }
        }
        return any;
    }

    /**
     * A cluster with {@code backup:} has the pgBackRest configuration on every node and its stanza created and
     * checked. Each node remembers the hash of the configuration it was last configured with; a node created in
     * this plan, or one whose hash differs (repository, retention, port moved), is (re)configured, after every
     * parameter change so that the primary archives with {@code archive_mode = on} by then.
     */
    static void backup(Facts f, Draft x, String primary) {
        if (f.desired.backup().isEmpty()) {
            return;
        }
        List<String> nodes = new ArrayList<>();
        for (String name : new TreeSet<>(f.desiredNames)) {
            if (f.unseen(name)) {
                continue; // the lost primary: configured once it can be seen again
            }
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
                && f.desired.transport() == io.pgrds.transport.target.Transport.SSH
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

    static String unit(String unit) {
        if (unit == null || unit.isEmpty()) {
            return "";
        }
        return Character.isDigit(unit.charAt(0)) ? "×" + unit : unit;
    }

    /**
     * The roles pgrds needs, checked where they can be created: on the primary as it is now, or on the promoted
     * node after a failover. Roles replicate, so a standby's catalog tells what its primary has.
     */
    static void roles(Facts f, Draft x, String primary) {
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

    static void endpoint(Facts f, Draft x, String primary) {
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
}
