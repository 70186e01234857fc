package io.pgrds.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import io.pgrds.util.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code GET /status}: every cluster's status as JSON ({@code docs/daemon.md}, {@code schema/status.schema.json}).
 * Keys in snake_case as in the CLI's JSON; absent values are {@code null}, never missing keys. A cluster's entry
 * without {@code watch} is also the form the shared job store keeps ({@link #stored}, read back by {@link #read}).
 */
public final class StatusJson {
    /** Fields are only added within a version; a change of meaning or a removal bumps it. */
    public static final String FORMAT_VERSION = "1";

    private StatusJson() {
    }

    public static String render(Collection<ClusterStatus> clusters, boolean running) {
        return render(clusters, running, Map.of(), "memory");
    }

    /**
     * With the watch of each cluster that has automatic failover ({@code watch}; null for the others).
     *
     * @param source {@code memory} (this daemon's own runs) or {@code job_store} (shared by every daemon on it)
     */
    public static String render(Collection<ClusterStatus> clusters, boolean running, Map<ClusterId, WatchState> watches,
                                String source) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("running", running);
        root.put("source", source);
        ArrayNode list = root.putArray("clusters");
        for (ClusterStatus c : clusters) {
            ObjectNode o = cluster(c);
            watch(o, Optional.ofNullable(watches.get(c.cluster())));
            list.add(o);
        }
        return pretty(root) + "\n";
    }

    /** A cluster's status as the job store keeps it: its /status entry without {@code watch}. */
    static String stored(ClusterStatus c) {
        try {
            return Json.mapper().writeValueAsString(cluster(c));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pretty(JsonNode root) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode cluster(ClusterStatus c) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("cluster", c.cluster().toString());
        o.put("policy", c.policy().orElse(null));
        o.put("sync", c.sync().label());
        ArrayNode differences = o.putArray("differences");
        c.differences().forEach(differences::add);
        ArrayNode held = o.putArray("held_back");
        c.heldBack().forEach(held::add);
        o.put("refusal_code", c.refusalCode().orElse(null));
        o.put("message", c.message().orElse(null));
        o.put("commit", c.commit().orElse(null));
        o.put("last_applied_commit", c.lastAppliedCommit().orElse(null));
        o.put("last_applied_at", time(c.lastAppliedAt()));
        o.put("last_run_at", time(c.lastRunAt()));
        o.put("last_run_by", c.lastRunBy().orElse(null));
        o.put("last_run_ms", c.lastRunMillis());
        o.put("last_result", c.lastResult());
        o.put("planned", c.planned());
        o.put("applied", c.applied());
        ObjectNode nodes = o.putObject("nodes");
        c.nodes().forEach(nodes::put);
        ObjectNode lag = o.putObject("lag_bytes");
        c.lagBytes().forEach(lag::put);
        ObjectNode lagMs = o.putObject("lag_ms");
        c.figures().lagMillis().forEach(lagMs::put);
        ObjectNode wal = o.putObject("wal");
        c.figures().wal().forEach((n, w) -> {
            ObjectNode x = wal.putObject(n);
            x.put("ready_segments", w.readySegments());
            x.put("waiting_bytes", w.waitingBytes());
            x.put("free_bytes", w.freeBytes().orElse(null));
            x.put("file_system_bytes", w.fileSystemBytes().orElse(null));
            x.put("archive", w.archive().orElse(null));
            x.put("disk_in_danger", w.diskInDanger());
            x.put("last_archived_at", time(w.lastArchivedAt()));
        });
        o.put("sentence", c.sentence());
        ArrayNode warnings = o.putArray("warnings");
        c.warnings().forEach(warnings::add);
        ArrayNode dangers = o.putArray("dangers");
        c.dangers().forEach(dangers::add);
        // the most recent of any type, as before backups had types; each type's under "backups"
        backup(o, "last_backup", c.lastBackup());
        ObjectNode backups = o.putObject("backups");
        c.backups().forEach((type, runs) -> {
            ObjectNode t = backups.putObject(type.key());
            backup(t, "last", runs.last());
            ObjectNode skipped = t.putObject("skipped");
            runs.skipped().forEach((cause, n) -> skipped.put(cause.label(), n));
            if (runs.lastSkipped().isPresent()) {
                BackupRuns.Skipped s = runs.lastSkipped().get();
                ObjectNode last = t.putObject("last_skipped");
                last.put("at", s.at().toString());
                last.put("cause", s.cause().label());
                last.put("reason", s.reason());
            } else {
                t.putNull("last_skipped");
            }
        });
        if (c.figures().repository().isPresent()) {
            Figures.Repository r = c.figures().repository().get();
            ObjectNode x = o.putObject("backup_repository");
            x.put("checked_at", r.checkedAt().toString());
            x.put("read_at", time(r.readAt()));
            x.put("error", r.error().orElse(null));
            x.put("backups", r.backups());
            ObjectNode last = x.putObject("last_completed");
            r.lastCompleted().forEach((type, t) -> last.put(type, t.toString()));
            x.put("restorable_from", time(r.windowStart()));
        } else {
            o.putNull("backup_repository");
        }
        return o;
    }

    private static String time(Optional<Instant> t) {
        return t.map(Instant::toString).orElse(null);
    }

    private static void backup(ObjectNode parent, String field, Optional<LastBackup> last) {
        if (last.isEmpty()) {
            parent.putNull(field);
            return;
        }
        LastBackup b = last.get();
        ObjectNode backup = parent.putObject(field);
        backup.put("type", b.type().key());
        backup.put("at", b.at().toString());
        backup.put("ms", b.millis());
        backup.put("result", b.result());
        backup.put("node", b.node().orElse(null));
        backup.put("label", b.label().orElse(null));
        backup.put("message", b.message().orElse(null));
    }

    private static void watch(ObjectNode parent, Optional<WatchState> state) {
        if (state.isEmpty()) {
            parent.putNull("watch");
            return;
        }
        WatchState w = state.get();
        ObjectNode o = parent.putObject("watch");
        o.put("state", w.state());
        o.put("primary", w.primary().orElse(null));
        o.put("last_check_at", time(w.lastCheckAt()));
        o.put("failing_ms", w.failingMillis());
        o.put("failovers", w.failovers());
        if (w.lastFailover().isPresent()) {
            WatchState.Failover f = w.lastFailover().get();
            ObjectNode last = o.putObject("last_failover");
            last.put("from", f.from());
            last.put("to", f.to());
            last.put("at", f.at().toString());
            last.put("writable_after_ms", f.writableAfterMillis());
        } else {
            o.putNull("last_failover");
        }
        o.put("message", w.message().orElse(null));
    }

    // ---- reading back what the job store keeps ----

    /**
     * A cluster's status from its entry ({@link #cluster}).
     *
     * @throws IllegalArgumentException when the entry is not one
     */
    static ClusterStatus read(JsonNode o) {
        ClusterId id = ClusterId.parse(o.path("cluster").asText());
        Sync sync = java.util.Arrays.stream(Sync.values()).filter(s -> s.label().equals(o.path("sync").asText()))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown sync " + o.path("sync")));
        SortedMap<BackupType, BackupRuns> backups = new TreeMap<>();
        o.path("backups").fields().forEachRemaining(e -> {
            BackupType type = BackupType.of(e.getKey()).orElseThrow(() -> new IllegalArgumentException(
                    "unknown backup type " + e.getKey()));
            JsonNode t = e.getValue();
            SortedMap<BackupRuns.Cause, Long> skipped = new TreeMap<>();
            for (BackupRuns.Cause c : BackupRuns.Cause.values()) {
                skipped.put(c, t.path("skipped").path(c.label()).asLong(0));
            }
            Optional<BackupRuns.Skipped> lastSkipped = object(t.path("last_skipped")).map(s -> new BackupRuns.Skipped(
                    type, Instant.parse(s.path("at").asText()), cause(s.path("cause").asText()),
                    s.path("reason").asText()));
            backups.put(type, new BackupRuns(object(t.path("last")).map(StatusJson::lastBackup), lastSkipped,
                    skipped));
        });
        SortedMap<String, Figures.Wal> wal = new TreeMap<>();
        o.path("wal").fields().forEachRemaining(e -> {
            JsonNode w = e.getValue();
            wal.put(e.getKey(), new Figures.Wal(w.path("ready_segments").asInt(), w.path("waiting_bytes").asLong(),
                    longs(w.path("free_bytes")), longs(w.path("file_system_bytes")), text(w.path("archive")),
                    w.path("disk_in_danger").asBoolean(), text(w.path("last_archived_at")).map(Instant::parse)));
        });
        Optional<Figures.Repository> repository = object(o.path("backup_repository")).map(r -> {
            SortedMap<String, Instant> last = new TreeMap<>();
            r.path("last_completed").fields().forEachRemaining(e -> last.put(e.getKey(),
                    Instant.parse(e.getValue().asText())));
            return new Figures.Repository(Instant.parse(r.path("checked_at").asText()), instant(r.path("read_at")),
                    text(r.path("error")), r.path("backups").asInt(), last, instant(r.path("restorable_from")));
        });
        Figures figures = new Figures(map(o.path("lag_ms"), JsonNode::asLong), wal, repository);
        return new ClusterStatus(id, text(o.path("policy")), sync, strings(o.path("differences")),
                strings(o.path("held_back")), text(o.path("refusal_code")), text(o.path("message")),
                text(o.path("commit")), text(o.path("last_applied_commit")), instant(o.path("last_applied_at")),
                instant(o.path("last_run_at")), o.path("last_run_ms").asLong(), o.path("last_result").asText(),
                o.path("planned").asInt(), o.path("applied").asInt(), map(o.path("nodes"), JsonNode::asText),
                map(o.path("lag_bytes"), JsonNode::asLong), o.path("sentence").asText(), backups,
                strings(o.path("warnings")), strings(o.path("dangers")), text(o.path("last_run_by")), figures);
    }

    private static LastBackup lastBackup(JsonNode b) {
        BackupType type = BackupType.of(b.path("type").asText()).orElseThrow(() -> new IllegalArgumentException(
                "unknown backup type " + b.path("type")));
        return new LastBackup(type, Instant.parse(b.path("at").asText()), b.path("ms").asLong(),
                b.path("result").asText().equals("ok"), text(b.path("node")), text(b.path("label")),
                text(b.path("message")));
    }

    private static BackupRuns.Cause cause(String label) {
        return java.util.Arrays.stream(BackupRuns.Cause.values()).filter(c -> c.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown cause " + label));
    }

    private static Optional<JsonNode> object(JsonNode n) {
        return n.isObject() ? Optional.of(n) : Optional.empty();
    }

    private static Optional<String> text(JsonNode n) {
        return n.isTextual() ? Optional.of(n.asText()) : Optional.empty();
    }

    private static Optional<Long> longs(JsonNode n) {
        return n.isNumber() ? Optional.of(n.asLong()) : Optional.empty();
    }

    private static Optional<Instant> instant(JsonNode n) {
        return text(n).map(Instant::parse);
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static <T> SortedMap<String, T> map(JsonNode n, Function<JsonNode, T> value) {
        SortedMap<String, T> out = new TreeMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), value.apply(e.getValue())));
        return out;
    }
}
