package io.pgrds.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.desired.ClusterId;
import io.pgrds.observe.NodeState;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.Fingerprint;
import io.pgrds.plan.NodeSummary;
import io.pgrds.plan.SavedPlan;
import io.pgrds.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A saved plan as bytes: the plan JSON (docs/plan-json.md) plus an {@code observed} section naming, per cluster,
 * the fingerprint and per-node summaries the plan was made from. No file I/O here: the CLI reads and writes.
 */
public final class SavedPlanJson {
    private SavedPlanJson() {
    }

    public static byte[] write(SavedPlan saved) {
        ObjectNode root = PlanJson.tree(saved.plan());
        root.put("format_version", saved.formatVersion());
        ArrayNode fenced = root.putObject("confirmations").putArray("fenced");
        saved.confirmations().fenced().forEach(fenced::add);
        ObjectNode observed = root.putObject("observed");
        saved.observed().forEach((id, nodes) -> {
            ObjectNode c = observed.putObject(id.toString());
            c.put("fingerprint", Fingerprint.of(nodes));
            ObjectNode ns = c.putObject("nodes");
            nodes.forEach((name, s) -> {
                ObjectNode n = ns.putObject(name);
                n.put("state", s.state().name());
                n.put("running", s.running());
                PlanJson.putOptional(n, "system_identifier", s.systemIdentifier());
                if (s.timeline().isPresent()) {
                    n.put("timeline", s.timeline().get());
                } else {
                    n.putNull("timeline");
                }
                PlanJson.putOptional(n, "upstream", s.upstream());
                n.put("config", s.config());
                n.put("membership", s.membership());
            });
        });
        return PlanJson.write(root).getBytes(StandardCharsets.UTF_8);
    }

    public static SavedPlan read(byte[] bytes) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw PlanJson.invalid("it is not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isObject()) {
            throw PlanJson.invalid("it is not a JSON object");
        }
        String version = PlanJson.text(root, "format_version");
        if (!SavedPlan.FORMAT_VERSION.equals(version)) {
            throw PlanJson.invalid("its format_version is " + version + " and this pgrds reads "
                    + SavedPlan.FORMAT_VERSION);
        }
        if (!root.has("observed")) {
            throw PlanJson.invalid("it has no \"observed\" section (plain `--json` output cannot be applied)");
        }
        List<ClusterPlan> clusters = new ArrayList<>();
        root.path("clusters").forEach(c -> clusters.add(PlanJson.readCluster(c)));
        SortedMap<ClusterId, SortedMap<String, NodeSummary>> observed = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("observed").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ClusterId id = ClusterId.parse(e.getKey());
            if (id == null) {
                throw PlanJson.invalid("observed cluster " + e.getKey() + " is not team/stage");
            }
            SortedMap<String, NodeSummary> nodes = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> nit = e.getValue().path("nodes").fields(); nit.hasNext(); ) {
                Map.Entry<String, JsonNode> ne = nit.next();
                JsonNode n = ne.getValue();
                NodeState state;
                try {
                    state = NodeState.valueOf(PlanJson.text(n, "state"));
                } catch (IllegalArgumentException ex) {
                    throw PlanJson.invalid("node " + ne.getKey() + " has an unknown state");
                }
                JsonNode tl = n.get("timeline");
                nodes.put(ne.getKey(), new NodeSummary(state, n.path("running").asBoolean(),
                        PlanJson.optional(n, "system_identifier"),
                        tl == null || tl.isNull() ? Optional.empty() : Optional.of(tl.asInt()),
                        PlanJson.optional(n, "upstream"), PlanJson.text(n, "config"),
                        PlanJson.text(n, "membership")));
            }
            observed.put(id, nodes);
        }
        java.util.Set<String> fenced = new java.util.TreeSet<>();
        root.path("confirmations").path("fenced").forEach(n -> fenced.add(n.asText()));
        return new SavedPlan(version, PlanJson.optional(root, "commit"), clusters, observed,
                new io.pgrds.plan.Confirmations(fenced));
    }
}
