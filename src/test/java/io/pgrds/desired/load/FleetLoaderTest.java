package io.pgrds.desired.load;

import io.pgrds.transport.target.SshSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.BackupType;
import io.pgrds.transport.target.Become;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.HbaRule;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.transport.target.Transport;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FleetLoaderTest {

    private static FleetLoader.Result load(Map<String, String> files) {
        TreeMap<String, byte[]> bytes = new TreeMap<>();
        files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return FleetLoader.load(Fixtures.snapshot(bytes));
    }

    private static DesiredCluster only(FleetLoader.Result r) {
        assertEquals(List.of(), r.problems());
        assertEquals(1, r.fleet().clusters().size());
        return r.fleet().clusters().get(0);
    }

    @Test
    void mapsDeepMergeAcrossDefaultsTeamAndClusterFiles() {
        DesiredCluster c = only(load(Map.of(
                "clusters/defaults.yaml", "ssh: {user: pgrds, port: 22}\npostgres: {parameters: {a: 1, b: 2}}\n",
                "clusters/orderdata/team.yaml", "ssh: {port: 2222}\npostgres: {parameters: {b: 20, c: 30}}\n",
                "clusters/orderdata/integration.yaml", "postgres: {parameters: {c: 300}}\nnodes: [{host: h1}]\n")));
        assertEquals(Map.of("a", "1", "b", "20", "c", "300"), c.postgres().parameters());
        assertEquals("pgrds", c.nodes().get(0).ssh().user());
        assertEquals(2222, c.nodes().get(0).ssh().port());
    }

    @Test
    void listsReplaceInsteadOfMerging() {
        DesiredCluster c = only(load(Map.of(
                "clusters/defaults.yaml", "postgres:\n  hba:\n    - {type: host, database: all, user: all, "
                        + "address: 10.0.0.0/8, method: scram-sha-256}\n    - {type: local, database: all, user: all,"
                        + " method: peer}\n",
                "clusters/orderdata/integration.yaml", "postgres:\n  hba:\n    - {type: hostssl, database: app, "
                        + "user: app, address: 192.168.0.0/16, method: scram-sha-256}\nnodes: [{host: h1}]\n")));
        assertEquals(List.of(new HbaRule("hostssl", "app", "app", Optional.of("192.168.0.0/16"), "scram-sha-256")),
                c.postgres().hba());
    }

    @Test
    void anEmptyValueRemovesADefault() {
        DesiredCluster c = only(load(Map.of(
                "clusters/defaults.yaml", "service: {name: default.example.com}\n",
                "clusters/orderdata/integration.yaml", "service: ~\nnodes: [{host: h1}]\n")));
        assertEquals(Optional.empty(), c.service());
    }

    @Test
    void aClusterFileReplacesTheBootstrapChoiceInsteadOfMergingIt() {
        DesiredFleet fleet = FleetLoader.loadOrThrow(Fixtures.snapshot(new TreeMap<>(Map.of(
                "clusters/orderdata/production.yaml", ("nodes: [{host: p1}]\nrepositories: {main: {type: posix, "
                        + "path: /b}}\nbackup: {repository: main}\n").getBytes(StandardCharsets.UTF_8),
                "clusters/orderdata/integration.yaml", ("bootstrap: {restore: {from: orderdata/production, "
                        + "target: {time: '2026-11-27 03:00:00+00'}}}\nnodes: [{host: h1}]\n")
                        .getBytes(StandardCharsets.UTF_8)))));
        DesiredCluster c = fleet.cluster(new ClusterId("orderdata", "integration")).orElseThrow();
        Bootstrap.Restore r = assertInstanceOf(Bootstrap.Restore.class, c.bootstrap());
        assertEquals(new ClusterId("orderdata", "production"), r.from());
        assertEquals(new Bootstrap.RecoveryTarget(Bootstrap.RecoveryTarget.Kind.TIME, "2026-11-27 03:00:00+00"),
                r.target());
        assertInstanceOf(Bootstrap.Initdb.class,
                fleet.cluster(new ClusterId("orderdata", "production")).orElseThrow().bootstrap());
    }

    @Test
    void theRestoreTargetLatestMayBeWrittenAsAWordAndNoOtherWord() {
        String source = "nodes: [{host: p1}]\nrepositories: {main: {type: posix, path: /b}}\n"
                + "backup: {repository: main}\n";
        DesiredFleet fleet = FleetLoader.loadOrThrow(Fixtures.snapshot(new TreeMap<>(Map.of(
                "clusters/orderdata/production.yaml", source.getBytes(StandardCharsets.UTF_8),
                "clusters/orderdata/integration.yaml", ("bootstrap: {restore: {from: orderdata/production, "
                        + "target: latest}}\nnodes: [{host: h1}]\n").getBytes(StandardCharsets.UTF_8)))));
        Bootstrap.Restore r = assertInstanceOf(Bootstrap.Restore.class, fleet.cluster(new ClusterId("orderdata",
                "integration")).orElseThrow().bootstrap());
        assertEquals(Bootstrap.RecoveryTarget.latest(), r.target());

        FleetLoader.Result wrong = load(Map.of("clusters/orderdata/production.yaml", source,
                "clusters/orderdata/integration.yaml", "bootstrap: {restore: {from: orderdata/production, "
                        + "target: yesterday}}\nnodes: [{host: h1}]\n"));
        assertEquals(1, wrong.problems().size(), wrong.problems().toString());
        assertTrue(wrong.problems().get(0).toString().contains("INVALID_VALUE at /bootstrap/restore/target: "
                + "\"yesterday\" is not allowed"), wrong.problems().toString());
    }

    @Test
    void expandsTeamStageAndVersionPlaceholdersPerCluster() {
        DesiredCluster c = only(load(Map.of(
                "clusters/defaults.yaml", "postgres: {version: 16, dataDirectory: '/srv/{team}/{stage}/pg{version}'}\n"
                        + "service: {name: '{team}.{stage}.example.com'}\n",
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\n")));
        NodeSpec n = c.nodes().get(0);
        assertEquals("/srv/orderdata/integration/pg16", n.dataDirectory());
        assertEquals("/usr/lib/postgresql/16/bin", n.binDir());
        assertEquals("orderdata.integration.example.com", c.service().orElseThrow().name());
    }

    @Test
    void nodeOverridesApplyToThatNodeOnly() {
        DesiredCluster c = only(load(Map.of("clusters/orderdata/integration.yaml", """
                ssh: {user: ops, become: runuser}
                nodes:
                  - {host: h1, name: pg1, ssh: {port: 2222}, postgres: {dataDirectory: /srv/pg1, port: 5433}}
                  - {host: h2}
                primary: h2
                """)));
        assertEquals(new NodeSpec("pg1", "h1", new io.pgrds.transport.target.SshSettings("ops", 2222, Optional.empty(),
                Optional.empty(), Become.RUNUSER), "/usr/lib/postgresql/15/bin", "/srv/pg1", 5433), c.nodes().get(0));
        NodeSpec h2 = c.nodes().get(1);
        assertEquals("h2", h2.name());
        assertEquals(22, h2.ssh().port());
        assertEquals("/var/lib/pgrds/orderdata-integration/data", h2.dataDirectory());
        assertEquals(Optional.of("h2"), c.primary());
    }

    @Test
    void jumpHostsAndTheSshConfigurationAreInheritedAndOverriddenPerNode() {
        DesiredCluster c = only(load(Map.of("clusters/orderdata/integration.yaml", """
                ssh: {jump: ops@bastion.example.com:2200, configFile: ~/.ssh/fleet_config}
                nodes:
                  - {host: h1}
                  - {host: h2, ssh: {jump: [bastion-a, 'admin@[fd00::1]:22']}}
                  - {host: h3, ssh: {jump: []}}
                """)));
        io.pgrds.transport.target.SshSettings h1 = c.nodes().get(0).ssh();
        assertEquals(Optional.of(List.of("ops@bastion.example.com:2200")), h1.jump());
        assertEquals(Optional.of("~/.ssh/fleet_config"), h1.configFile());
        assertEquals(Optional.empty(), h1.configuredUser(), "unset: the SSH configuration may name the user");
        assertEquals("root", h1.user());
        assertEquals(Optional.of(List.of("bastion-a", "admin@[fd00::1]:22")), c.nodes().get(1).ssh().jump());
        assertEquals(Optional.of(List.of()), c.nodes().get(2).ssh().jump());
        assertEquals(Optional.of("~/.ssh/fleet_config"), c.nodes().get(2).ssh().configFile());
        assertEquals(Optional.empty(), only(load(Map.of("clusters/orderdata/integration.yaml",
                "nodes: [{host: h1}]\n"))).nodes().get(0).ssh().jump());
    }

    @Test
    void aJumpHostThatIsNotUserHostPortIsRefusedAtItsLine() {
        FleetLoader.Result r = load(Map.of("clusters/orderdata/integration.yaml",
                "nodes: [{host: h1}]\nssh:\n  jump: 'bastion; rm -rf /'\n"));
        assertEquals(1, r.problems().size(), r.problems().toString());
        String p = r.problems().get(0).toString();
        assertTrue(p.startsWith("clusters/orderdata/integration.yaml:3:3: INVALID_VALUE at /ssh/jump: \"bastion; rm -rf /\" is not allowed here. A jump host: [user@]host[:port]"), p);
    }

    @Test
    void aFenceHookIsThePathOfAnExecutable() {
        DesiredCluster c = only(load(Map.of("clusters/orderdata/integration.yaml",
                "nodes: [{host: h1}]\nfence: {hook: /usr/local/sbin/fence-node}\n")));
        assertEquals(Optional.of("/usr/local/sbin/fence-node"), c.fence());
        assertEquals(Optional.empty(), only(load(Map.of("clusters/orderdata/integration.yaml",
                "nodes: [{host: h1}]\n"))).fence());
    }

    @Test
    void aHookThatIsACommandIsRefusedAtItsLineWithWhatToDo() {
        FleetLoader.Result r = load(Map.of("clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\n"
                + "service:\n  name: orders.example.com\n  hook: 'echo \"$PGRDS_PRIMARY_NODE\" >> /tmp/x'\n"));
        assertEquals(1, r.problems().size(), r.problems().toString());
        String p = r.problems().get(0).toString();
        assertTrue(p.startsWith("clusters/orderdata/integration.yaml:4:3: INVALID_VALUE at /service/hook: \"echo "
                + "\\\"$PGRDS_PRIMARY_NODE\\\" >> /tmp/x\" is not allowed here. A hook is the absolute path of an "
                + "executable"), p);
        assertTrue(p.endsWith("Put the command in a script and name the script's path here."), p);
    }

    @Test
    void aPinByHostResolvesToTheNodeName() {
        DesiredCluster c = only(load(Map.of("clusters/orderdata/integration.yaml",
                "nodes: [{host: h1, name: pg1}, {host: h2, name: pg2}]\nprimary: h2\n")));
        assertEquals(Optional.of("pg2"), c.primary());
    }

    @Test
    void parametersKeepPostgresSpelling() {
        DesiredCluster c = only(load(Map.of("clusters/orderdata/integration.yaml",
                "postgres: {parameters: {fsync: true, jit: false, random_page_cost: 1.10, work_mem: 64MB, "
                        + "max_connections: 200}}\nnodes: [{host: h1}]\n")));
        assertEquals(Map.of("fsync", "on", "jit", "off", "random_page_cost", "1.1", "work_mem", "64MB",
                "max_connections", "200"), c.postgres().parameters());
    }

    @Test
    void aBadParameterOrRepositoryNameIsShownAsTheNameWithTheRule() {
        FleetLoader.Result r = load(Map.of("clusters/orderdata/integration.yaml",
                "postgres: {parameters: {\"Bad Name\": 1}}\nnodes: [{host: h1}]\n"));
        assertEquals(List.of("clusters/orderdata/integration.yaml:1:25: INVALID_VALUE at /postgres/parameters/Bad Name: "
                + "\"Bad Name\" is not allowed here. A parameter's name: lowercase letters, digits and _, starting "
                + "with a letter or _; an extension's as prefix.name (one dot, as postgresql.conf reads names)."),
                r.problems().stream().map(Problem::toString).toList());
    }

    @Test
    void standardConformingStringsStayOnBecausePgrdsSqlQuotingReliesOnIt() {
        FleetLoader.Result r = load(Map.of("clusters/orderdata/integration.yaml",
                "postgres: {parameters: {standard_conforming_strings: false}}\nnodes: [{host: h1}]\n"));
        assertEquals(List.of(ProblemCode.RESERVED_PARAMETER), r.problems().stream().map(Problem::code).toList());
    }

    @Test
    void builtInDefaultsMakeAMinimalClusterFileEnough() {
        DesiredCluster c = only(load(Map.of("clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\n")));
        assertEquals(Transport.SSH, c.transport());
        assertEquals(15, c.postgres().version());
        assertEquals(5432, c.nodes().get(0).port());
        assertEquals(Become.SUDO, c.nodes().get(0).ssh().become());
        assertEquals(ReconcilePolicy.SAFE, c.policy());
        assertInstanceOf(Bootstrap.Initdb.class, c.bootstrap());
    }

    @Test
    void invalidUtf8IsReportedAtTheOffendingByte() {
        TreeMap<String, byte[]> files = new TreeMap<>();
        byte[] text = "nodes:\n  - host: caf\u00e9\n  - host: x\u00ff\n".getBytes(StandardCharsets.ISO_8859_1);
        files.put("clusters/orderdata/integration.yaml", text);
        FleetLoader.Result r = FleetLoader.load(Fixtures.snapshot(files));
        assertEquals("clusters/orderdata/integration.yaml:2:14: NOT_UTF8: byte 0xE9 is not valid UTF-8; save the "
                + "file as UTF-8.", r.problems().get(0).toString());
        assertEquals(1, r.problems().size());
    }

    @Test
    void aFiveMegabyteFileIsRefusedBeforeParsing() {
        StringBuilder b = new StringBuilder("nodes:\n");
        while (b.length() < 5 * 1024 * 1024) {
            b.append("  - host: h").append(b.length()).append(".example.com\n");
        }
        FleetLoader.Result r = load(Map.of("clusters/orderdata/integration.yaml", b.toString()));
        assertEquals(List.of("clusters/orderdata/integration.yaml: FILE_TOO_LARGE: the file is 5.0 MiB; fleet "
                + "files are limited to 1024 KiB. Split it, or check that it is the file you meant to commit."),
                r.problems().stream().map(Problem::toString).toList());
    }

    @Test
    void everyProblemOfEveryFileIsReportedAndGoodClustersStillLoad() {
        FleetLoader.Result r = load(Map.of(
                "clusters/a/x.yaml", "nodes: [{hots: h1}]\n",
                "clusters/b/y.yaml", "nodes: [{host: h2}]\nprimary: nope\n",
                "clusters/c/z.yaml", "nodes: [{host: h3}]\n"));
        assertEquals(List.of("clusters/a/x.yaml", "clusters/a/x.yaml", "clusters/b/y.yaml"),
                r.problems().stream().map(Problem::file).toList());
        assertEquals(List.of(new ClusterId("c", "z")), r.fleet().clusters().stream().map(DesiredCluster::id).toList());
    }

    @Test
    void loadOrThrowListsEveryProblemWithACount() {
        PgrdsException e = org.junit.jupiter.api.Assertions.assertThrows(PgrdsException.class,
                () -> FleetLoader.loadOrThrow(Fixtures.snapshot(new TreeMap<>(Map.of(
                        "clusters/a/x.yaml", "nodes: [{hots: h1}]\n".getBytes(StandardCharsets.UTF_8))))));
        assertEquals(ErrorCode.INVALID_DESIRED_STATE, e.code());
        assertTrue(e.getMessage().endsWith("\n2 problems in 1 file."), e.getMessage());
    }

    @Test
    void theExampleFleetInThisRepositoryIsValid() {
        DesiredFleet fleet = FleetLoader.loadOrThrow(Fixtures.snapshot(Path.of(".")));
        assertEquals(List.of("demo/local", "lab/vagrant", "orderdata/integration", "orderdata/production",
                "payments/integration", "payments/production"), fleet.clusters().stream().map(c -> c.id().toString()).toList());
        DesiredCluster c = fleet.cluster(new ClusterId("orderdata", "integration")).orElseThrow();
        assertEquals("pg_stat_statements", c.postgres().parameters().get("shared_preload_libraries"));
        assertEquals("200", c.postgres().parameters().get("max_connections"));
        assertEquals(Optional.of("int-postgres-orderdata-1.int.example.com"), c.primary());
        assertEquals("/var/lib/pgrds/orderdata-integration/data", c.nodes().get(1).dataDirectory());
        assertEquals(Map.of(BackupType.FULL, "0 0 3 * * ?"), c.backup().orElseThrow().schedule());
        assertEquals(Map.of(BackupType.FULL, "0 0 2 ? * SUN", BackupType.DIFF, "0 0 2 ? * MON-SAT", BackupType.INCR,
                "0 0 * * * ?"), fleet.cluster(new ClusterId("orderdata", "production")).orElseThrow().backup()
                .orElseThrow().schedule());
    }

    @Test
    void nodesThatEarlierVersionsListedBecomeCandidateFormerNodes() {
        TreeMap<String, byte[]> files = new TreeMap<>();
        files.put("clusters/orderdata/integration.yaml", "nodes: [{host: new1}, {host: new2}]\n"
                .getBytes(StandardCharsets.UTF_8));
        TreeMap<String, List<byte[]>> history = new TreeMap<>();
        history.put("clusters/orderdata/integration.yaml", List.of(
                "nodes: [{host: old1, postgres: {port: 5433}}, {host: new1}]\n".getBytes(StandardCharsets.UTF_8),
                "nodes: [{hots: broken}]\n".getBytes(StandardCharsets.UTF_8),
                "nodes: [{host: old0}]\n".getBytes(StandardCharsets.UTF_8)));
        FleetLoader.Result r = FleetLoader.load(new io.pgrds.source.Snapshot(Optional.of("c"), "HEAD", files,
                List.of(), history));
        DesiredCluster c = only(r);
        assertEquals(List.of("old1", "old0"), c.formerNodes().stream().map(NodeSpec::name).toList());
        assertEquals(5433, c.formerNodes().get(0).port());
    }

    @Test
    void anEarlierVersionWithValuesValidateRefusesNamesNoServers() {
        TreeMap<String, byte[]> files = new TreeMap<>();
        files.put("clusters/orderdata/integration.yaml", "nodes: [{host: new1}]\n".getBytes(StandardCharsets.UTF_8));
        TreeMap<String, List<byte[]>> history = new TreeMap<>();
        history.put("clusters/orderdata/integration.yaml", List.of(
                "nodes: [{host: old1, postgres: {dataDirectory: '/srv/$(touch /tmp/x)'}}]\n"
                        .getBytes(StandardCharsets.UTF_8),
                "nodes: [{host: \"old2\\n\"}]\n".getBytes(StandardCharsets.UTF_8),
                "nodes: [{host: old3}]\n".getBytes(StandardCharsets.UTF_8)));
        DesiredCluster c = only(FleetLoader.load(new io.pgrds.source.Snapshot(Optional.of("c"), "HEAD", files,
                List.of(), history)));
        assertEquals(List.of("old3"), c.formerNodes().stream().map(NodeSpec::name).toList());
    }
}
