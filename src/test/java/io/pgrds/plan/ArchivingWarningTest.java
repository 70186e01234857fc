package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.render.PlanRenderer;
import io.pgrds.util.Json;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * WAL archiving that fails or falls behind changes no action but is in every plan as a warning (the exact text is in
 * the {@code archiving-*} scenarios).
 */
class ArchivingWarningTest {
    private static final String FAILING = "archiving-failing-disk-in-danger";

    private static ObservedCluster observed(String scenario, DesiredCluster desired) throws Exception {
        return ScenarioObserved.parse(Files.readString(ScenarioTest.ROOT.resolve(scenario).resolve("observed.json")),
                desired);
    }

    @Test
    void planJsonCarriesTheWarningBesideNoActionsAndNoRefusal() throws Exception {
        ClusterPlan plan = ScenarioTest.plan(FAILING);
        JsonNode cluster = Json.mapper().readTree(PlanRenderer.json(new FleetPlan(Optional.empty(), List.of(plan))))
                .path("clusters").get(0);
        assertEquals(0, cluster.path("actions").size());
        assertEquals(0, cluster.path("refusals").size());
        assertEquals(1, cluster.path("warnings").size());
        String warning = cluster.path("warnings").get(0).asText();
        assertTrue(warning.startsWith("Archiving from primary pg1 is failing and its disk is in danger: nothing "
                + "archived since 2024-05-03 10:41:07 UTC"), warning);
        assertTrue(warning.endsWith("never delete files from pg_wal by hand."), warning);
    }

    @Test
    void walFactsAreNotPartOfASavedPlansFingerprintAndTheWarningStandsWithoutThem() throws Exception {
        DesiredCluster desired = ScenarioDesired.load(ScenarioTest.ROOT.resolve(FAILING));
        ObservedCluster now = observed(FAILING, desired);
        ObservedCluster without = new ObservedCluster(now.id(), now.nodes().stream().map(n -> new ObservedNode(
                n.name(), n.host(), n.state(), n.error(), n.running(), n.version(), n.systemIdentifier(),
                n.timeline(), n.upstream(), n.marker(), n.configFiles(), n.configParameters(), n.memoryBytes(),
                n.freeDiskBytes(), n.rebootRequired(), Optional.empty(), n.sql(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty())).toList());
        assertEquals(Fingerprint.of(without), Fingerprint.of(now), "WAL waiting moves all the time, like LSNs");
        List<String> warnings = Planner.plan(desired, without).warnings();
        assertEquals(1, warnings.size(), "pg_stat_archiver alone still tells that archiving fails");
        assertTrue(warnings.get(0).startsWith("Archiving from primary pg1 is failing: nothing archived since "
                + "2024-05-03 10:41:07 UTC (25 min 0 s ago), the last attempt failed at 2024-05-03 11:05:07 UTC on "
                + "000000010000000000000025. PostgreSQL keeps"), warnings.get(0));
    }
}
