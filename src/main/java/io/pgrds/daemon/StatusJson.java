package io.pgrds.daemon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.util.Json;
import java.util.Collection;

/** {@code GET /status}: every cluster's status as JSON. */
public final class StatusJson {
    private StatusJson() {
    }

    private static void backup(ObjectNode parent, String field, java.util.Optional<LastBackup> last) {
        if (last.isEmpty()) {
            parent.putNull(field);
            return;
        }
        LastBackup b = last.get();
        ObjectNode backup = parent.putObject(field);
        backup.put("type", b.type().key());
        backup.put("at", b.at().toString());
        backup.put("millis", b.millis());
        backup.put("result", b.result());
        backup.put("node", b.node().orElse(null));
        backup.put("label", b.label().orElse(null));
        backup.put("message", b.message().orElse(null));
    }

    private static void watch(ObjectNode parent, java.util.Optional<WatchState> state) {
        if (state.isEmpty()) {
            parent.putNull("watch");
            return;
        }
        WatchState w = state.get();
        ObjectNode o = parent.putObject("watch");
        o.put("state", w.state());
        o.put("primary", w.primary().orElse(null));
        o.put("lastCheckAt", w.lastCheckAt().map(Object::toString).orElse(null));
        o.put("failingMillis", w.failingMillis());
        o.put("failovers", w.failovers());
        if (w.lastFailover().isPresent()) {
            WatchState.Failover f = w.lastFailover().get();
            ObjectNode last = o.putObject("lastFailover");
            last.put("from", f.from());
            last.put("to", f.to());
            last.put("at", f.at().toString());
            last.put("writableAfterMillis", f.writableAfterMillis());
        } else {
            o.putNull("lastFailover");
        }
        o.put("message", w.message().orElse(null));
    }

    public static String render(Collection<ClusterStatus> clusters, boolean running) {
        return render(clusters, running, java.util.Map.of());
    }

    /** With the watch of each cluster that has automatic failover ({@code watch}; null for the others). */
    public static String render(Collection<ClusterStatus> clusters, boolean running,
                                java.util.Map<io.pgrds.desired.ClusterId, WatchState> watches) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("running", running);
        ArrayNode list = root.putArray("clusters");
        for (ClusterStatus c : clusters) {
            ObjectNode o = list.addObject();
            o.put("cluster", c.cluster().toString());
            o.put("policy", c.policy().orElse(null));
            o.put("sync", c.sync().label());
            ArrayNode differences = o.putArray("differences");
            c.differences().forEach(differences::add);
            ArrayNode held = o.putArray("heldBack");
            c.heldBack().forEach(held::add);
            o.put("refusalCode", c.refusalCode().orElse(null));
            o.put("message", c.message().orElse(null));
            o.put("commit", c.commit().orElse(null));
            o.put("lastAppliedCommit", c.lastAppliedCommit().orElse(null));
            o.put("lastAppliedAt", c.lastAppliedAt().map(Object::toString).orElse(null));
            o.put("lastRunAt", c.lastRunAt().map(Object::toString).orElse(null));
            o.put("lastRunMillis", c.lastRunMillis());
            o.put("lastResult", c.lastResult());
            o.put("planned", c.planned());
            o.put("applied", c.applied());
            ObjectNode nodes = o.putObject("nodes");
            c.nodes().forEach(nodes::put);
            ObjectNode lag = o.putObject("lagBytes");
            c.lagBytes().forEach(lag::put);
            o.put("sentence", c.sentence());
            ArrayNode warnings = o.putArray("warnings");
            c.warnings().forEach(warnings::add);
            ArrayNode dangers = o.putArray("dangers");
            c.dangers().forEach(dangers::add);
            watch(o, java.util.Optional.ofNullable(watches.get(c.cluster())));
            // the most recent of any type, as before backups had types; each type's under "backups"
            backup(o, "lastBackup", c.lastBackup());
            ObjectNode backups = o.putObject("backups");
            c.backups().forEach((type, runs) -> {
                ObjectNode t = backups.putObject(type.key());
                backup(t, "last", runs.last());
                ObjectNode skipped = t.putObject("skipped");
                runs.skipped().forEach((cause, n) -> skipped.put(cause.label(), n));
                if (runs.lastSkipped().isPresent()) {
                    BackupRuns.Skipped s = runs.lastSkipped().get();
                    ObjectNode last = t.putObject("lastSkipped");
                    last.put("at", s.at().toString());
                    last.put("cause", s.cause().label());
                    last.put("reason", s.reason());
                } else {
                    t.putNull("lastSkipped");
                }
            });
        }
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
