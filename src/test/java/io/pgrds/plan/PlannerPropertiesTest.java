package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.transport.target.Become;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.PostgresSettings;
import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.desired.ServiceSpec;
import io.pgrds.transport.target.SshSettings;
import io.pgrds.transport.target.Transport;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.Marker;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReplicationPeer;
import io.pgrds.observe.Setting;
import io.pgrds.observe.SqlFacts;
import io.pgrds.render.PlanRenderer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Safety properties over random observations and random pins: whatever the servers look like, a plan never makes
 * two primaries, never promotes beside a running primary, never overwrites data, and is deterministic.
 * The whole case comes from one seed, so a failure names the seed that reproduces it.
 */
class PlannerPropertiesTest {
    static final ClusterId ID = new ClusterId("prop", "random");

    /** A random cluster: desired file and observation, from one seed. */
    /** A cluster file, an observation, and what the daemon says it saw (a lost primary, one kept stopped). */
    record Case(DesiredCluster desired, ObservedCluster observed, Confirmations told) {
    }

    static Case generate(long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(5);
        SshSettings ssh = new SshSettings("root", 22, Optional.empty(), Optional.empty(), Become.RUNUSER);
        List<NodeSpec> all = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            all.add(new NodeSpec("pg" + i, "10.0.0." + i, ssh, "/usr/lib/postgresql/15/bin", "/data", 5432));
        }
        List<NodeSpec> desiredNodes = new ArrayList<>();
        for (NodeSpec s : all) {
            if (r.nextInt(4) != 0) {
                desiredNodes.add(s);
            }
        }
        if (desiredNodes.isEmpty()) {
            desiredNodes.add(all.get(r.nextInt(n)));
        }
        java.util.Collections.shuffle(desiredNodes, r);
        TreeMap<String, String> params = new TreeMap<>(Map.of("max_connections", r.nextBoolean() ? "100" : "200"));
        Optional<String> pin = r.nextInt(5) < 2
                ? Optional.of(desiredNodes.get(r.nextInt(desiredNodes.size())).name()) : Optional.empty();
        Bootstrap bootstrap = r.nextInt(5) == 0
                ? new Bootstrap.Restore(new ClusterId("prop", "source"), switch (r.nextInt(4)) {
                    case 0 -> new Bootstrap.RecoveryTarget(Bootstrap.RecoveryTarget.Kind.TIME,
                            "2026-11-27 03:00:00+00");
                    case 1 -> new Bootstrap.RecoveryTarget(Bootstrap.RecoveryTarget.Kind.TIME,
                            "2026-11-27 03:00:00"); // no zone: refused
                    default -> Bootstrap.RecoveryTarget.latest();
                })
                : new Bootstrap.Initdb();
        Optional<ServiceSpec> service = r.nextBoolean()
                ? Optional.of(new ServiceSpec("db.example.com", Optional.empty())) : Optional.empty();
        Optional<io.pgrds.desired.BackupSpec> backup = r.nextInt(3) == 0 ? Optional.of(new io.pgrds.desired.BackupSpec(
                new io.pgrds.desired.Repository.Posix("main", "/var/lib/pgbackrest"), new TreeMap<>(),
                new TreeMap<>(Map.of("full", 2)), r.nextBoolean())) : Optional.empty();
        DesiredCluster desired = new DesiredCluster(ID, "clusters/prop/random.yaml", Transport.SSH,
                new PostgresSettings(15, params, List.of()), desiredNodes, pin, bootstrap, backup, service,
                ReconcilePolicy.FULL, List.of());

        List<Marker.Member> members = all.stream().map(s -> new Marker.Member(s.name(), s.host(), 22, "root",
                "/data", 5432, s.binDir())).toList();
        String hbaHash = ConfigFiles.sha256(ConfigFiles.hba(desired));
        List<ObservedNode> nodes = new ArrayList<>();
        for (NodeSpec s : all) {
            boolean isDesired = desiredNodes.contains(s);
            int roll = r.nextInt(100);
            NodeState state = roll < 22 ? NodeState.PRIMARY : roll < 55 ? NodeState.STANDBY : roll < 75
                    ? NodeState.EMPTY : roll < 85 ? NodeState.DEACTIVATED : roll < 92 ? NodeState.UNREACHABLE
                    : roll < 95 ? NodeState.UNKNOWN : roll < 97 ? NodeState.NO_POSTGRES : NodeState.FOREIGN;
            if (!isDesired && r.nextInt(3) == 0) {
                continue; // a former member the markers do not list any more
            }
            if (state == NodeState.UNREACHABLE) {
                nodes.add(ObservedNode.unreachable(s.name(), s.host(), "timeout"));
                continue;
            }
            if (state == NodeState.UNKNOWN) {
                nodes.add(ObservedNode.unknown(s.name(), s.host(), "probe failed"));
                continue;
            }
            boolean data = state == NodeState.PRIMARY || state == NodeState.STANDBY
                    || state == NodeState.DEACTIVATED;
            boolean running = (state == NodeState.PRIMARY || state == NodeState.STANDBY) && r.nextInt(5) != 0;
            Optional<Integer> timeline = data ? Optional.of(1 + r.nextInt(3)) : Optional.empty();
            Lsn lsn = new Lsn(r.nextInt(1 << 28));
            Optional<String> upstream = state == NodeState.STANDBY ? (r.nextInt(6) == 0 ? Optional.of("10.9.9.9")
                    : Optional.of("10.0.0." + (1 + r.nextInt(n)))) : Optional.empty();
            Optional<Marker> marker = data && r.nextInt(4) != 0
                    ? Optional.of(new Marker(ID, Optional.of("7000"), state == NodeState.DEACTIVATED, members,
                    r.nextInt(5) == 0 ? Optional.empty() : Optional.of("pg" + (1 + r.nextInt(n))), Optional.of("c1")))
                    : Optional.empty();
            TreeMap<String, String> files = new TreeMap<>();
            TreeMap<String, String> cp = new TreeMap<>();
            if (data) {
                files.put(ConfigFiles.HBA, r.nextInt(4) == 0 ? "stale" : hbaHash);
                if (backup.isPresent() && r.nextInt(3) != 0) {
                    files.put(ConfigFiles.PGBACKREST, ConfigFiles.sha256(ConfigFiles.pgbackrestConf(desired, s)));
                }
                cp.putAll(ConfigFiles.nodeParameters(desired, s));
                if (r.nextInt(4) == 0) {
                    cp.put("max_connections", "50");
                }
            }
            Optional<SqlFacts> sql = Optional.empty();
            if (running && r.nextInt(8) != 0) {
                boolean standby = state == NodeState.STANDBY;
                List<ReplicationPeer> peers = new ArrayList<>();
                if (!standby) {
                    for (NodeSpec o : all) {
                        if (o != s && r.nextBoolean()) {
                            peers.add(new ReplicationPeer(o.name(), o.host(), "streaming", Optional.empty(),
                                    r.nextInt(3) == 0 ? 64L << 20 : r.nextInt(4096), Optional.empty()));
                        }
                    }
                }
                List<String> roles = new ArrayList<>(ConfigFiles.ROLES);
                if (r.nextInt(5) == 0) {
                    roles.remove(r.nextInt(roles.size()));
                }
                sql = Optional.of(new SqlFacts("15.6", standby, standby ? Optional.empty() : Optional.of(lsn),
                        standby ? Optional.of(lsn) : Optional.empty(), standby ? Optional.of(lsn) : Optional.empty(),
                        Optional.empty(), standby ? Optional.of(r.nextInt(5) == 0 ? "catchup" : "streaming")
                        : Optional.empty(), peers, new TreeMap<>(Map.of("max_connections",
                        new Setting("100", "", "postmaster", r.nextInt(6) == 0))), roles, 3, 100, Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty()));
            }
            Optional<String> sysid = data ? Optional.of(r.nextInt(30) == 0 ? "7999" : "7000") : Optional.empty();
            // where systemd runs the node (a third of them): the unit template mostly installed, enabled or not
            int sd = r.nextInt(30);
            Optional<io.pgrds.observe.Systemd> systemd = sd >= 10 ? Optional.empty() : Optional.of(
                    new io.pgrds.observe.Systemd(io.pgrds.observe.Systemd.unitFor(s.dataDirectory()), sd == 0
                            ? "not-found" : "loaded", sd > 0 && sd % 2 == 0, running && sd % 3 == 0 ? "active"
                            : "inactive"));
            nodes.add(new ObservedNode(s.name(), s.host(), state, Optional.empty(), running, data ? Optional.of(
                    r.nextInt(40) == 0 ? 14 : 15) : Optional.empty(), sysid, timeline, upstream, marker, files, cp,
                    Optional.empty(), Optional.empty(), false, Optional.empty(), sql, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), systemd));
        }
        // what the node to restore into read of the source: mostly one backup, sometimes none or an error
        Optional<io.pgrds.observe.RestoreSource> source = Optional.empty();
        if (bootstrap instanceof Bootstrap.Restore restore) {
            String into = pin.orElse(desiredNodes.get(0).name());
            int roll = r.nextInt(8);
            String backups = roll == 0 ? "" : "{\"label\":\"20261127-030000F\",\"type\":\"full\",\"timestamp\":"
                    + "{\"start\":1795748400,\"stop\":1795748460},\"lsn\":{\"start\":\"0/3000028\",\"stop\":"
                    + "\"0/3000100\"}}";
            source = Optional.of(roll == 1
                    ? new io.pgrds.observe.RestoreSource(restore.from(), into, Optional.empty(), Optional.of(
                    "pgbackrest exit 55: ERROR: [055]: unable to load info file"))
                    : new io.pgrds.observe.RestoreSource(restore.from(), into, Optional.of(
                    io.pgrds.observe.BackupCatalog.parse("[{\"name\":\"prop-source\",\"backup\":[" + backups
                            + "],\"archive\":[{\"min\":\"000000010000000000000003\",\"max\":"
                            + "\"000000010000000000000009\"}]}]", "main")), Optional.empty()));
        }
        return withHa(seed, desired, new ObservedCluster(ID, nodes, source));
    }

    /**
     * Durability, automatic failover, a fence hook, and what a watching daemon would say: drawn from a second random
     * sequence, so that the cases above stay what they were.
     */
    private static Case withHa(long seed, DesiredCluster d, ObservedCluster observed) {
        Random h = new Random(~seed);
        int standbys = d.nodes().size() - 1;
        io.pgrds.desired.Durability durability = standbys >= 1 && h.nextInt(3) == 0
                ? new io.pgrds.desired.Durability.Quorum(1 + h.nextInt(standbys)) : io.pgrds.desired.Durability.ASYNC;
        boolean automatic = h.nextBoolean();
        Optional<String> hook = h.nextInt(4) == 0 ? Optional.of("/usr/local/sbin/fence-node") : Optional.empty();
        DesiredCluster desired = new DesiredCluster(d.id(), d.file(), d.transport(), d.postgres(), d.nodes(),
                d.primary(), d.bootstrap(), d.backup(), d.service(), d.policy(), d.formerNodes(), hook, durability,
                automatic ? new io.pgrds.desired.FailoverSpec(true, java.time.Duration.ofSeconds(1),
                        java.time.Duration.ofSeconds(4), 16L << 20) : io.pgrds.desired.FailoverSpec.MANUAL);
        Confirmations told = Confirmations.NONE;
        if (automatic && h.nextBoolean()) {
            String lost = d.nodes().get(h.nextInt(d.nodes().size())).name();
            told = new Confirmations(Set.of(), Optional.of(new Confirmations.Lost(lost, 5000, 3000)),
                    h.nextInt(4) == 0 ? Set.of(lost) : Set.of());
        }
        return new Case(desired, observed, told);
    }

    @Property(tries = 4000)
    void aPlanNeverLeavesTwoPrimaries(@ForAll long seed) {
        Case c = generate(seed);
        ClusterPlan plan = Planner.plan(c.desired(), c.observed(), c.told());
        if (plan.refused()) {
            assertTrue(plan.actions().isEmpty(), "refused plans change nothing");
            return;
        }
        Set<String> primaries = new HashSet<>();
        Set<String> demoted = new HashSet<>();
        for (Action a : plan.actions()) {
            if (a instanceof Action.Deactivate d) {
                demoted.add(d.node());
            } else if (a instanceof Action.Rejoin j) {
                demoted.add(j.node());
            } else if (a instanceof Action.Switchover s) {
                demoted.add(s.from());
            }
        }
        for (ObservedNode n : c.observed().nodes()) {
            // a stopped primary the daemon keeps stopped after a crash loop stays stopped: the next plan rejoins it
            boolean keptStopped = !n.running() && c.told().keepStopped().contains(n.name());
            if (n.state() == NodeState.PRIMARY && !demoted.contains(n.name()) && !keptStopped) {
                primaries.add(n.name());
            }
        }
        for (Action a : plan.actions()) {
            if (a instanceof Action.InitPrimary i) {
                primaries.add(i.node());
            } else if (a instanceof Action.RestorePrimary rp) {
                primaries.add(rp.node());
            } else if (a instanceof Action.Promote p) {
                primaries.add(p.node());
            } else if (a instanceof Action.Switchover s) {
                primaries.add(s.to());
            }
        }
        assertEquals(1, primaries.size(), "seed " + seed + ": " + primaries + "\n" + text(plan));
    }

    /**
     * A backup is taken only where it cannot save the wrong history: every node seen, one running primary (a stale one
     * beside it stopped), on that primary or on a standby it lists as streaming.
     */
    @Property(tries = 4000)
    void aBackupIsTakenOnlyFromTheOneRunningPrimaryOrItsStreamingStandby(@ForAll long seed) {
        Case c = generate(seed);
        BackupChoice choice = BackupRules.choose(c.desired(), c.observed());
        if (!(choice instanceof BackupChoice.Take take)) {
            return;
        }
        List<ObservedNode> nodes = c.observed().nodes();
        // a node of the file pgrds cannot see may be a primary (a former member is the planner's concern, as ever)
        assertTrue(nodes.stream().filter(n -> c.desired().node(n.name()).isPresent()).noneMatch(n -> n.state()
                == NodeState.UNREACHABLE || n.state() == NodeState.UNKNOWN), "seed " + seed + ": a backup beside a "
                + "node not seen");
        List<ObservedNode> running = nodes.stream().filter(n -> n.state() == NodeState.PRIMARY && n.running())
                .toList();
        assertEquals(1, running.size(), "seed " + seed + ": " + running);
        String primary = take.standbyOf().orElse(take.node());
        assertEquals(running.get(0).name(), primary, "seed " + seed);
        take.standbyOf().ifPresent(p -> {
            ObservedNode standby = c.observed().node(take.node()).orElseThrow();
            assertEquals(NodeState.STANDBY, standby.state());
            assertTrue(running.get(0).sql().orElseThrow().replication().stream().anyMatch(r -> r.applicationName()
                    .equals(take.node()) && r.state().equals("streaming")), "seed " + seed);
        });
    }

    @Property(tries = 4000)
    void aPromoteNeverHappensWhileAnotherNodeRunsAsPrimary(@ForAll long seed) {
        Case c = generate(seed);
        ClusterPlan plan = Planner.plan(c.desired(), c.observed(), c.told());
        List<Action> actions = plan.actions();
        for (int i = 0; i < actions.size(); i++) {
            if (!(actions.get(i) instanceof Action.Promote p)) {
                continue;
            }
            for (ObservedNode n : c.observed().nodes()) {
                // the stopped primary a crash loop keeps stopped is the one failed over from (apply checks it is
                // stopped right before the promotion); the next plan rejoins it
                boolean keptStopped = !n.running() && c.told().keepStopped().contains(n.name())
                        && p.formerPrimary().filter(n.name()::equals).isPresent();
                if (n.state() == NodeState.PRIMARY && !n.name().equals(p.node()) && !keptStopped) {
                    boolean stoppedBefore = actions.subList(0, i).stream().anyMatch(a ->
                            (a instanceof Action.Deactivate d && d.node().equals(n.name()))
                                    || (a instanceof Action.Rejoin j && j.node().equals(n.name())));
                    assertTrue(stoppedBefore, "seed " + seed + ": promote " + p.node() + " beside " + n.name()
                            + "\n" + text(plan));
                }
            }
            int at = i;
            p.formerPrimary().flatMap(c.observed()::node).filter(f -> f.state() == NodeState.UNREACHABLE
                    || f.state() == NodeState.UNKNOWN).ifPresent(f -> {
                        switch (p.fencing()) {
                            // the hook runs first, in this plan
                            case HOOK -> assertTrue(actions.subList(0, at).stream().anyMatch(a -> a instanceof
                                    Action.Fence fe && fe.node().equals(f.name())), "seed " + seed);
                            // a quorum fences it from the standbys' side; the plan says what is left to do
                            case QUORUM -> assertTrue(plan.warnings().stream().anyMatch(w -> w.contains("fenced by the "
                                    + "quorum") && w.contains("fence " + f.name())), "seed " + seed);
                            default -> {
                                assertTrue(p.risk().orElse("").contains("fence " + f.name()), "seed " + seed);
                                assertTrue(plan.warnings().stream().anyMatch(w -> w.contains("fence " + f.name())),
                                        "seed " + seed);
                            }
                        }
                    });
        }
    }

    @Property(tries = 4000)
    void noActionOverwritesData(@ForAll long seed) {
        Case c = generate(seed);
        ClusterPlan plan = Planner.plan(c.desired(), c.observed(), c.told());
        boolean anyData = c.observed().nodes().stream().anyMatch(n -> n.state() == NodeState.PRIMARY
                || n.state() == NodeState.STANDBY || n.state() == NodeState.DEACTIVATED);
        for (Action a : plan.actions()) {
            if (a instanceof Action.CloneStandby cs) {
                assertEquals(NodeState.EMPTY, c.observed().node(cs.node()).orElseThrow().state(), "seed " + seed);
            }
            if (a instanceof Action.InitPrimary || a instanceof Action.RestorePrimary) {
                assertFalse(anyData, "seed " + seed + ": create a primary while data exists\n" + text(plan));
            }
            if (a instanceof Action.Fence fence && fence.method() == Action.Fence.Method.HOOK) {
                continue; // the hook fences a node pgrds cannot reach, from where pgrds runs: that is its purpose
            }
            for (String node : a.nodes()) {
                NodeState s = c.observed().node(node).orElseThrow().state();
                assertTrue(s != NodeState.UNREACHABLE && s != NodeState.UNKNOWN && s != NodeState.FOREIGN
                        && s != NodeState.NO_POSTGRES, "seed " + seed + ": " + a.describe() + " on " + s);
            }
        }
    }

    /**
     * The seed that found a lost primary's exemption from the unseen-node refusal applied beside another running
     * primary: the plan rejoined the UNKNOWN node and switched over to it.
     */
    @net.jqwik.api.Example
    void aLostPrimaryBesideARunningOneIsAnUnseenNodeLikeAnyOther() {
        noActionOverwritesData(-1621456966716843907L);
        aPlanNeverLeavesTwoPrimaries(-1621456966716843907L);
    }

    @Property(tries = 2000)
    void everyPlanIsExplainedAndDeterministic(@ForAll long seed) {
        Case c = generate(seed);
        ClusterPlan plan = Planner.plan(c.desired(), c.observed(), c.told());
        Case again = generate(seed);
        ClusterPlan second = Planner.plan(again.desired(), again.observed(), again.told());
        assertEquals(plan, second);
        assertEquals(text(plan), text(second));
        FleetPlan f1 = new FleetPlan(Optional.of("abc"), List.of(plan));
        FleetPlan f2 = new FleetPlan(Optional.of("abc"), List.of(second));
        assertEquals(PlanRenderer.json(f1), PlanRenderer.json(f2));
        assertTrue(plan.decision().startsWith(ID + ": "), plan.decision());
        assertFalse(plan.decision().contains("\n"));
        for (Action a : plan.actions()) {
            assertFalse(a.reason().isBlank(), a.describe());
            if (a instanceof Action.Promote || a instanceof Action.Switchover || a instanceof Action.Deactivate
                    || a instanceof Action.Rejoin) {
                assertTrue(a.risk().isPresent(), a.describe());
            }
        }
        for (Refusal r : plan.refusals()) {
            assertTrue(RefusalCode.valueOf(r.code()) != null);
            assertFalse(r.nextStep().isBlank());
        }
    }

    /** Guards the properties above against a generator that only ever reaches refusals. */
    @org.junit.jupiter.api.Test
    void theGeneratorReachesEveryActionAndEveryRefusal() {
        Map<String, Integer> seen = new TreeMap<>();
        int refused = 0;
        int total = 20_000;
        for (long seed = 0; seed < total; seed++) {
            Case c = generate(seed);
            ClusterPlan plan = Planner.plan(c.desired(), c.observed(), c.told());
            if (plan.refused()) {
                refused++;
            }
            plan.actions().forEach(a -> seen.merge(a.kind().name(), 1, Integer::sum));
            plan.refusals().forEach(r -> seen.merge(r.code(), 1, Integer::sum));
            // the backup rules refuse from the same observations; their codes count here too
            if (BackupRules.choose(c.desired(), c.observed()) instanceof BackupChoice.Refused r) {
                r.refusals().forEach(x -> seen.merge(x.code(), 1, Integer::sum));
            }
        }
        for (ActionKind k : ActionKind.values()) {
            assertTrue(seen.containsKey(k.name()), k + " never planned: " + seen);
        }
        for (RefusalCode code : RefusalCode.values()) {
            assertTrue(seen.containsKey(code.name()), code + " never raised: " + seen);
        }
        assertTrue(refused < total * 0.8, "refused " + refused + " of " + total + ": " + seen);
        System.out.println("generator coverage: refused " + refused + " of " + total + ", " + seen);
    }

    private static String text(ClusterPlan plan) {
        return PlanRenderer.text(new FleetPlan(Optional.empty(), List.of(plan)), false);
    }
}
