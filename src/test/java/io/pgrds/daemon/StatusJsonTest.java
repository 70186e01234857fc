package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.util.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

/**
 * {@code /status}: its keys in the CLI's style, its schema, and the form the shared job store keeps, which reads back
 * to the very status it was written from.
 */
class StatusJsonTest {
    private static final ClusterId ID = PolicyTest.ID;
    private static final Instant T = Instant.parse("2026-11-27T08:00:00Z");

    /** A status with everything a run, two scheduled backups, a skipped one and a catalog reading put in it. */
    static ClusterStatus rich() {
        TreeMap<String, String> nodes = new TreeMap<>(Map.of("pg1", "PRIMARY", "pg2", "STANDBY"));
        TreeMap<String, Long> lag = new TreeMap<>(Map.of("pg2", 128L));
        ClusterPlan plan = new ClusterPlan(ID, List.of(PolicyTest.HBA, PolicyTest.SWITCHOVER), List.of(),
                List.of("Archiving from primary pg1 is failing."), "orderdata/integration: switchover pg1 → pg2");
        Policy.Split split = Policy.split(ReconcilePolicy.SAFE, plan);
        TreeMap<String, Figures.Wal> wal = new TreeMap<>();
        wal.put("pg1", new Figures.Wal(3, 3 * 16777216L, Optional.of(10_000_000_000L), Optional.of(50_000_000_000L),
                Optional.of("failing"), true, Optional.of(T.minusSeconds(600))));
        wal.put("pg2", new Figures.Wal(0, 0, Optional.empty(), Optional.empty(), Optional.empty(), false,
                Optional.empty()));
        Figures figures = new Figures(new TreeMap<>(Map.of("pg2", 1500L)), wal, Optional.of(new Figures.Repository(
                T, Optional.of(T.minusSeconds(60)), Optional.of("pg1: pgbackrest info failed (exit 1)"), 4,
                new TreeMap<>(Map.of("full", T.minusSeconds(86_400), "diff", T.minusSeconds(7_200))),
                Optional.of(T.minusSeconds(700_000)))));
        return Outcomes.status(ClusterStatus.pending(ID), new Outcomes.Run(ID, Optional.of(ReconcilePolicy.SAFE),
                Optional.of("3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b"), Optional.of(plan), split, 1, false,
                Optional.empty(), nodes, lag, T, 1234, List.of("DANGER: two primaries"), figures))
                .withLastRunBy("daemon-a")
                .withBackup(new LastBackup(BackupType.FULL, T.minusSeconds(90_000), 61_500, true, Optional.of("pg1"),
                        Optional.of("20261126-030000F"), Optional.empty()))
                .withSkippedBackup(new BackupRuns.Skipped(BackupType.DIFF, T.minusSeconds(90_000),
                        BackupRuns.Cause.BIGGER_TYPE, "the full backup takes its place"))
                .withBackup(new LastBackup(BackupType.INCR, T.minusSeconds(3_000), 2_000, false, Optional.empty(),
                        Optional.empty(), Optional.of("no running primary")));
    }

    private static final Map<ClusterId, WatchState> WATCH = Map.of(ID, new WatchState("watching", Optional.of("pg1"),
            Optional.of(T), 0, 1, Optional.of(new WatchState.Failover("pg0", "pg1", T.minusSeconds(3600), 12_300)),
            Optional.empty()));

    private static Schema schema() throws Exception {
        try (InputStream in = StatusJsonTest.class.getResourceAsStream("/io/pgrds/schema/status.schema.json")) {
            return SchemaLoader.builder().draftV7Support().schemaJson(new JSONObject(new String(in.readAllBytes(),
                    StandardCharsets.UTF_8))).build().load().build();
        }
    }

    @Test
    void theStoredFormReadsBackToTheSameStatus() {
        ClusterStatus s = rich();
        assertEquals(s, StatusJson.read(Json.tree(StatusJson.stored(s))));
        ClusterStatus pending = ClusterStatus.pending(ID);
        assertEquals(pending, StatusJson.read(Json.tree(StatusJson.stored(pending))));
    }

    @Test
    void statusNamesItsFormatVersionAndWhereItComesFromAndPassesItsSchema() throws Exception {
        String json = StatusJson.render(List.of(rich(), ClusterStatus.pending(ClusterId.parse("orderdata/staging"))),
                true, WATCH, "job_store");
        JsonNode root = Json.tree(json);
        assertEquals("1", root.path("format_version").asText());
        assertEquals("job_store", root.path("source").asText());
        JsonNode c = root.path("clusters").get(0);
        assertEquals("daemon-a", c.path("last_run_by").asText());
        assertEquals(1500, c.path("lag_ms").path("pg2").asLong());
        assertEquals("failing", c.path("wal").path("pg1").path("archive").asText());
        assertEquals("2026-11-26T08:00:00Z", c.path("backup_repository").path("last_completed").path("full").asText());
        assertEquals(12_300, c.path("watch").path("last_failover").path("writable_after_ms").asLong());
        schema().validate(new JSONObject(json));
    }

    @Test
    void everyKeyIsInTheCliStyle() {
        List<String> keys = new ArrayList<>();
        collect(Json.tree(StatusJson.render(List.of(rich()), true, WATCH, "memory")), "", keys);
        // map keys of node names, backup types and causes are data; every other key is snake_case
        List<String> odd = keys.stream().filter(k -> !k.matches("[a-z][a-z0-9_]*")).toList();
        assertEquals(List.of(), odd, String.join("\n", keys));
        assertTrue(keys.contains("held_back") && keys.contains("last_run_ms"), keys.toString());
    }

    @Test
    void theSchemaRefusesAMissingKey() throws Exception {
        JSONObject o = new JSONObject(StatusJson.render(List.of(rich()), true, WATCH, "memory"));
        o.getJSONArray("clusters").getJSONObject(0).remove("last_run_by");
        Schema schema = schema();
        assertThrows(ValidationException.class, () -> schema.validate(o));
    }

    private static void collect(JsonNode n, String path, List<String> keys) {
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> {
                keys.add(e.getKey());
                collect(e.getValue(), path + "." + e.getKey(), keys);
            });
        } else if (n.isArray()) {
            n.forEach(x -> collect(x, path, keys));
        }
    }
}
