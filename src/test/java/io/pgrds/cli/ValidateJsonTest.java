package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.error.ErrorCode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import io.pgrds.util.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate --json: the documented format (docs/validate-json.md), on stdout alone. */
class ValidateJsonTest {
    @TempDir
    Path tmp;

    @Test
    void aValidFleetIsItsClustersWithTheirNodes() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        String commit = fleet.commit("orderdata/integration", "nodes:\n  - {host: a.example.com, name: pg1}\n"
                + "  - {host: b.example.com, name: pg2}\nprimary: pg2\n");
        Cli.Run r = Cli.run("--repo", fleet.dir().toString(), "validate", "--json");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err());
        JsonNode j = Json.mapper().readTree(r.out());
        assertEquals("1", j.path("format_version").asText());
        assertEquals(commit, j.path("commit").asText());
        assertTrue(j.path("valid").asBoolean());
        JsonNode c = j.path("clusters").path(0);
        assertEquals("orderdata/integration", c.path("id").asText());
        assertEquals("pg2", c.path("primary").asText());
        assertEquals("b.example.com", c.path("nodes").path(1).path("host").asText());
        assertEquals(0, j.path("problems").size());
        assertTrue(j.path("summary").isNull());
    }

    @Test
    void problemsAreListedWithTheirPlaceAndTheErrorLineStaysOnStderr() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", "nodes:\n  - {host: a.example.com, prot: 1}\n");
        Cli.Run r = Cli.run("--repo", fleet.dir().toString(), "validate", "--json");
        assertEquals(ErrorCode.INVALID_DESIRED_STATE.exitCode(), r.exit(), r.toString());
        JsonNode j = Json.mapper().readTree(r.out()); // stdout is JSON alone
        assertTrue(!j.path("valid").asBoolean() && j.path("clusters").isEmpty());
        JsonNode p = j.path("problems").path(0);
        assertEquals("clusters/orderdata/integration.yaml", p.path("file").asText());
        assertEquals(2, p.path("line").asInt());
        assertEquals("UNKNOWN_KEY", p.path("code").asText());
        assertTrue(r.err().startsWith("error [INVALID_DESIRED_STATE]: "), r.err());
    }
}
