package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.apply.Audit;
import io.pgrds.testing.Cli;
import io.pgrds.util.Json;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** history --json: format_version 1, the applies as the audit trail keeps them (docs/history-json.md). */
class HistoryJsonTest {
    @Test
    void theAppliesAreTheAuditRecordsNewestFirstWithTheNodesWhoseCopyIsMissing() throws Exception {
        Audit a = new Audit("2026-12-06T08:00:00Z", "alice", "laptop", "orderdata/integration",
                Optional.of("3f2a1c9d"), false, List.of(new Audit.Entry("switchover pg1 → pg2", "done", 1234,
                Optional.empty()), new Audit.Entry("rejoin pg1", "failed", 50, Optional.of("pg_rewind failed"))),
                "failed");
        JsonNode j = Json.mapper().readTree(HistoryCommand.json("orderdata/integration", List.of("pg3"), List.of(a)));
        assertEquals("1", j.path("format_version").asText());
        assertEquals("orderdata/integration", j.path("cluster").asText());
        assertEquals("pg3", j.path("unreachable").path(0).asText());
        JsonNode x = j.path("applies").path(0);
        assertEquals("alice", x.path("user").asText());
        assertEquals("3f2a1c9d", x.path("commit").asText());
        assertEquals("failed", x.path("outcome").asText());
        assertEquals("pg_rewind failed", x.path("actions").path(1).path("error").asText());
        assertTrue(x.path("actions").path(0).path("error").isNull());
        assertTrue(Json.mapper().readTree(HistoryCommand.json("a/b", List.of(), List.of())).path("unreachable")
                .isArray(), "an empty list, never a missing key");
    }

    @Test
    void theOptionIsThere() {
        assertTrue(Cli.run("history", "--help").out().contains("--json"));
    }
}
