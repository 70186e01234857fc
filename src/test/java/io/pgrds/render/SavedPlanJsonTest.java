package io.pgrds.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.SqlFacts;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.FleetPlan;
import io.pgrds.plan.Fingerprint;
import io.pgrds.plan.Planner;
import io.pgrds.plan.SavedPlan;
import io.pgrds.plan.ScenarioDesired;
import io.pgrds.plan.ScenarioObserved;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SavedPlanJsonTest {
    static final Path SCENARIOS = Path.of("src/test/resources/scenarios");
    static final ClusterId ID = ScenarioDesired.ID;

    static Stream<String> scenarios() throws IOException {
        try (Stream<Path> dirs = Files.list(SCENARIOS)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    static DesiredCluster desired(String scenario) throws IOException {
        return ScenarioDesired.load(SCENARIOS.resolve(scenario));
    }

    static ObservedCluster observed(String scenario) throws IOException {
        return ScenarioObserved.parse(Files.readString(SCENARIOS.resolve(scenario).resolve("observed.json")),
                desired(scenario));
    }

    static SavedPlan save(String scenario) throws IOException {
        ObservedCluster o = observed(scenario);
        ClusterPlan plan = Planner.plan(desired(scenario), o);
        return SavedPlan.of(new FleetPlan(Optional.of("0123456789abcdef"), List.of(plan)), Map.of(ID, o));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyScenarioPlanSurvivesWritingAndReading(String scenario) throws IOException {
        SavedPlan saved = save(scenario);
        byte[] bytes = SavedPlanJson.write(saved);
        SavedPlan read = SavedPlanJson.read(bytes);
        assertEquals(saved, read);
        assertEquals(new String(bytes, StandardCharsets.UTF_8),
                new String(SavedPlanJson.write(read), StandardCharsets.UTF_8));
        assertEquals(PlanRenderer.text(saved.plan(), false), PlanRenderer.text(read.plan(), false));
    }

    @Test
    void aPlanIsFreshWhenOnlyPositionsLagAndConnectionsMoved() throws IOException {
        SavedPlan saved = save("switchover-pin-moved");
        ObservedCluster now = observed("switchover-pin-moved");
        ObservedCluster moved = new ObservedCluster(ID, now.nodes().stream().map(n -> withSql(n,
                n.sql().map(s -> new SqlFacts(s.serverVersion(), s.inRecovery(), s.currentLsn().map(l ->
                        new Lsn(l.value() + 4096)), s.receiveLsn(), s.replayLsn().map(l -> new Lsn(l.value() + 2048)),
                        Optional.of(10L), s.walReceiverStatus(), List.of(), s.settings(), s.roles(), 42,
                        s.maxConnections(), s.archiver(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty())))).toList());
        assertEquals(List.of(), saved.staleness(Map.of(ID, moved)));
        assertEquals(Fingerprint.of(now), Fingerprint.of(moved));
    }

    @Test
    void aFailoverSinceThePlanMakesItStaleAndSaysExactlyWhatChanged() throws IOException {
        SavedPlan saved = save("switchover-pin-moved");
        ObservedCluster now = observed("switchover-pin-moved");
        ObservedNode pg1 = now.node("pg1").orElseThrow();
        ObservedNode pg2 = now.node("pg2").orElseThrow();
        ObservedNode promoted = new ObservedNode(pg2.name(), pg2.host(), NodeState.PRIMARY, Optional.empty(), true,
                pg2.version(), pg2.systemIdentifier(), Optional.of(2), Optional.empty(), pg2.marker(),
                pg2.configFiles(), pg2.configParameters(), Optional.empty(), Optional.empty(), false, pg2.wal(),
                pg2.sql(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
        ObservedNode gone = ObservedNode.unreachable("pg1", pg1.host(), "timeout");
        List<String> stale = saved.staleness(Map.of(ID, new ObservedCluster(ID, List.of(gone, promoted))));
        assertEquals(List.of(
                "test/scenario: pg1: was PRIMARY, now UNREACHABLE; timeline 1 → unknown; system identifier "
                        + ScenarioObserved.SYSTEM_IDENTIFIER + " → none; configuration files changed; membership "
                        + "marker changed (another apply ran?)",
                "test/scenario: pg2: was STANDBY following pg1, now PRIMARY; timeline 1 → 2"), stale);
        assertEquals(List.of("test/scenario: not observed now"), saved.staleness(Map.of()));
    }

    @Test
    void aNewNodeAndAHandEditedConfigAreReported() throws IOException {
        SavedPlan saved = save("no-changes");
        ObservedCluster now = observed("no-changes");
        ObservedNode pg1 = now.node("pg1").orElseThrow();
        java.util.TreeMap<String, String> params = new java.util.TreeMap<>(pg1.configParameters());
        params.put("work_mem", "1GB");
        ObservedNode edited = new ObservedNode(pg1.name(), pg1.host(), pg1.state(), pg1.error(), pg1.running(),
                pg1.version(), pg1.systemIdentifier(), pg1.timeline(), pg1.upstream(), pg1.marker(),
                pg1.configFiles(), params, pg1.memoryBytes(), pg1.freeDiskBytes(), false, pg1.wal(), pg1.sql(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
        ObservedNode extra = ObservedNode.unreachable("pg3", "10.0.0.3", "timeout");
        assertEquals(List.of("test/scenario: pg1: configuration files changed",
                        "test/scenario: pg3: newly observed (UNREACHABLE)"),
                saved.staleness(Map.of(ID, new ObservedCluster(ID, List.of(edited, now.node("pg2").orElseThrow(),
                        extra)))));
    }

    @Test
    void aFileThatIsNotASavedPlanIsRefusedWithTheNextStep() {
        PgrdsException e = assertThrows(PgrdsException.class, () -> SavedPlanJson.read("{\"format_version\":\"2\"}"
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals("Unable to read the saved plan as its format_version is 2 and this pgrds reads 1. Create it "
                + "again with `pgrds plan --out FILE`.", e.getMessage());
        PgrdsException plain = assertThrows(PgrdsException.class, () -> SavedPlanJson.read(PlanRenderer.json(
                new FleetPlan(Optional.empty(), List.of())).getBytes(StandardCharsets.UTF_8)));
        assertTrue(plain.getMessage().contains("plain `--json` output cannot be applied"), plain.getMessage());
        assertThrows(PgrdsException.class, () -> SavedPlanJson.read("not json".getBytes(StandardCharsets.UTF_8)));
    }

    private static ObservedNode withSql(ObservedNode n, Optional<SqlFacts> sql) {
        return new ObservedNode(n.name(), n.host(), n.state(), n.error(), n.running(), n.version(),
                n.systemIdentifier(), n.timeline(), n.upstream(), n.marker(), n.configFiles(), n.configParameters(),
                n.memoryBytes(), n.freeDiskBytes(), n.rebootRequired(), n.wal(), sql, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
    }
}
