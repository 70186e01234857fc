package io.pgrds.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.ClusterId;
import io.pgrds.plan.Action;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.FleetPlan;
import io.pgrds.plan.ParameterChange;
import io.pgrds.plan.Refusal;
import io.pgrds.util.Json;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlanRendererTest {
    static final ClusterId ORDERDATA = new ClusterId("orderdata", "integration");
    static final String N1 = "int-postgres-orderdata-1";
    static final String N2 = "int-postgres-orderdata-2";
    static final String N3 = "int-postgres-orderdata-3";

    static ClusterPlan designExample() {
        return new ClusterPlan(ORDERDATA, List.of(
                new Action.CloneStandby(N2, N1, N2 + " is in the file and its data directory is empty",
                        Optional.of("reads " + N1 + "'s whole data directory (pg_basebackup)")),
                new Action.ChangeParameters(List.of(new ParameterChange("max_connections", Optional.of("100"),
                        Optional.of("200"), true, true)), List.of(N1), "pgrds's configuration file on " + N1
                        + " differs from the file (max_connections)", Optional.of("restarts " + N1)),
                new Action.Deactivate(N3, N3 + " was removed from the file", Optional.of("data kept"))),
                List.of(), List.of(), ORDERDATA + ": keep " + N1 + " primary, clone " + N2 + ", change 1 parameter "
                + "with restart, deactivate " + N3);
    }

    @Test
    void theDesignExampleRendersLineForLineWithReasonsBelowEachAction() {
        String text = PlanRenderer.text(new FleetPlan(Optional.of("3f2a1c9d0e"), List.of(designExample())), false);
        assertEquals("""
                pgrds plan — commit 3f2a1c9

                orderdata/integration
                  + clone standby   int-postgres-orderdata-2   from int-postgres-orderdata-1
                      why:  int-postgres-orderdata-2 is in the file and its data directory is empty
                      risk: reads int-postgres-orderdata-1's whole data directory (pg_basebackup)
                  ~ parameter       max_connections 100 → 200  (restart)
                      why:  pgrds's configuration file on int-postgres-orderdata-1 differs from the file (max_connections)
                      risk: restarts int-postgres-orderdata-1
                  - deactivate      int-postgres-orderdata-3   (data kept)
                      why:  int-postgres-orderdata-3 was removed from the file
                      risk: data kept
                  decision: keep int-postgres-orderdata-1 primary, clone int-postgres-orderdata-2, change 1 parameter with restart, deactivate int-postgres-orderdata-3

                Plan: 1 to add, 1 to change, 1 to remove.
                """, text);
    }

    @Test
    void anEmptyPlanSaysTheServersMatchTheCommit() {
        ClusterPlan c = new ClusterPlan(ORDERDATA, List.of(), List.of(), List.of(),
                ORDERDATA + ": no action, pg1 primary, 1 standby streaming");
        assertEquals("""
                pgrds plan — commit 0000000

                orderdata/integration
                  decision: no action, pg1 primary, 1 standby streaming

                No changes. The servers match commit 0000000.
                """, PlanRenderer.text(new FleetPlan(Optional.of("0000000"), List.of(c)), false));
    }

    @Test
    void aRefusalShowsItsCodeAndNextStepAndTheFleetSummaryNamesTheCluster() {
        ClusterPlan refused = new ClusterPlan(ORDERDATA, List.of(), List.of(new Refusal("NODE_UNREACHABLE",
                ORDERDATA.toString(), Optional.of("pg2"), "Unable to plan orderdata/integration as pg2 is unreachable.",
                "Bring pg2 back.")), List.of(), ORDERDATA + ": refused (NODE_UNREACHABLE pg2), nothing will change");
        ClusterPlan other = new ClusterPlan(new ClusterId("billing", "production"), List.of(new Action.StartNode("b1",
                "b1 is stopped", Optional.empty())), List.of(), List.of("Cannot deactivate b9 now: unreachable; the "
                + "next apply will"), "billing/production: start b1 as primary");
        assertEquals("""
                pgrds plan — working directory (not a git commit)

                billing/production
                  Warning: Cannot deactivate b9 now: unreachable; the next apply will
                  ~ start           b1
                      why:  b1 is stopped
                  decision: start b1 as primary

                orderdata/integration
                  ! refused NODE_UNREACHABLE: Unable to plan orderdata/integration as pg2 is unreachable.
                      next: Bring pg2 back.
                  decision: refused (NODE_UNREACHABLE pg2), nothing will change

                Plan: 0 to add, 1 to change, 0 to remove.
                Refused: orderdata/integration — nothing changes there until the cause above is gone.
                """, PlanRenderer.text(new FleetPlan(Optional.empty(), List.of(refused, other)), false));
    }

    @Test
    void colourOnlyWhenAskedGreenAddYellowChangeRedRemove() {
        FleetPlan plan = new FleetPlan(Optional.of("3f2a1c9"), List.of(designExample()));
        assertFalse(PlanRenderer.text(plan, false).contains("\u001b["));
        String coloured = PlanRenderer.text(plan, true);
        assertTrue(coloured.contains("  \u001b[32m+\u001b[0m clone standby"), coloured);
        assertTrue(coloured.contains("  \u001b[33m~\u001b[0m parameter"), coloured);
        assertTrue(coloured.contains("  \u001b[31m-\u001b[0m deactivate"), coloured);
    }

    @Test
    void jsonHasTheDocumentedShape() throws Exception {
        JsonNode root = Json.mapper().readTree(PlanRenderer.json(
                new FleetPlan(Optional.of("3f2a1c9d0e"), List.of(designExample()))));
        assertEquals("1", root.path("format_version").asText());
        assertEquals("3f2a1c9d0e", root.path("commit").asText());
        JsonNode cluster = root.path("clusters").get(0);
        assertEquals("orderdata/integration", cluster.path("id").asText());
        JsonNode clone = cluster.path("actions").get(0);
        assertEquals("clone_standby", clone.path("type").asText());
        assertEquals("+", clone.path("symbol").asText());
        assertEquals(N2, clone.path("node").asText());
        assertEquals(N1, clone.path("from").asText());
        assertEquals("max_connections", cluster.path("actions").get(1).path("changes").get(0).path("name").asText());
        assertTrue(cluster.path("actions").get(1).path("changes").get(0).path("restart").asBoolean());
        assertTrue(cluster.path("actions").get(2).path("risk").isTextual());
        assertEquals(1, root.path("summary").path("add").asInt());
        assertEquals(1, root.path("summary").path("change").asInt());
        assertEquals(1, root.path("summary").path("remove").asInt());
        assertEquals(0, root.path("summary").path("refused").asInt());
    }

    @Test
    void jsonStartsWithTheFormatVersionAndEndsWithANewline() {
        String json = PlanRenderer.json(new FleetPlan(Optional.empty(), List.of()));
        assertEquals("""
                {
                  "format_version" : "1",
                  "commit" : null,
                  "clusters" : [ ],
                  "summary" : {
                    "add" : 0,
                    "change" : 0,
                    "remove" : 0,
                    "refused" : 0
                  }
                }
                """, json);
    }
}
