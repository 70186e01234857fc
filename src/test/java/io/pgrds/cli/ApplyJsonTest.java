package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.error.ErrorCode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import io.pgrds.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** apply --json: one JSON event a line (docs/apply-json.md), the plan first and "done" last. */
class ApplyJsonTest {
    @TempDir
    Path tmp;

    @Test
    void aDryRunIsThePlanThenEveryCommandThenDoneEachALineOfJson() throws Exception {
        // the postgres user must be able to look for the data directory (else the node is UNKNOWN: a refusal)
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", "transport: local\nnodes:\n  - {host: localhost, postgres: "
                + "{dataDirectory: " + tmp.resolve("data") + ", port: 55998}}\n");
        Cli.Run r = Cli.run("--repo", fleet.dir().toString(), "apply", "--json", "--dry-run");
        assertEquals(0, r.exit(), r.toString());
        List<JsonNode> events = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) {
            events.add(Json.mapper().readTree(line)); // every line is a JSON document of its own
        }
        assertEquals("plan", events.get(0).path("event").asText(), r.out());
        assertEquals("orderdata/integration", events.get(0).path("plan").path("clusters").path(0).path("id").asText(),
                r.out());
        JsonNode done = events.get(events.size() - 1);
        assertEquals("done", done.path("event").asText());
        assertTrue(done.path("ok").asBoolean() && done.path("dry_run").asBoolean() && done.path("exit").asInt() == 0);
        assertTrue(events.stream().anyMatch(e -> e.path("event").asText().equals("command")
                && e.path("command").asText().contains("initdb")), r.out());
        assertTrue(events.stream().allMatch(e -> e.path("format_version").asText().equals("1")
                && !e.path("time").asText().isEmpty()));
        assertTrue(!Files.exists(tmp.resolve("data")), "a dry run changes nothing");
    }

    @Test
    void withoutAutoApproveOrDryRunThereWouldBeAQuestionBetweenJsonLines() {
        Cli.Run r = Cli.run("apply", "--json");
        assertEquals(ErrorCode.USAGE.exitCode(), r.exit(), r.toString());
        assertTrue(r.err().contains("--auto-approve"), r.err());
    }
}
