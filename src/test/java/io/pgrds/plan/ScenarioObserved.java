package io.pgrds.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.RestoreSource;
import io.pgrds.util.Json;
import java.util.Optional;

/**
 * Test-only: reads a fixture's {@code observed.json} (an {@link ObservedCluster} in {@link Json#mapper()}'s form)
 * after filling in every field the fixture leaves out with a value that is in sync with the desired cluster, so a
 * fixture states only the facts its scenario is about. The defaults are listed in
 * {@code src/test/resources/scenarios/README.md}.
 */
public final class ScenarioObserved {
    public static final String SYSTEM_IDENTIFIER = "7300000000000000001";

    private ScenarioObserved() {
    }

    public static ObservedCluster parse(String json, DesiredCluster desired) {
        try {
            ObjectNode root = (ObjectNode) Json.mapper().readTree(json);
            if (!root.has("id")) {
                root.put("id", desired.id().toString());
            }
            java.util.Map<String, String> markerHosts = new java.util.HashMap<>();
            for (JsonNode n : root.withArray("nodes")) {
                n.path("marker").path("members").forEach(m -> markerHosts.put(m.path("name").asText(),
                        m.path("host").asText()));
            }
            for (JsonNode n : root.withArray("nodes")) {
                fill((ObjectNode) n, desired, markerHosts);
            }
            JsonNode source = root.remove("restoreSource");
            ObservedCluster o = Json.mapper().treeToValue(root, ObservedCluster.class);
            return source == null ? o : new ObservedCluster(o.id(), o.nodes(), Optional.of(restoreSource(source,
                    desired)));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * {@code {"node": "pg1", "info": [pgbackrest info --output=json as pgBackRest prints it]}}, or {@code {"node":
     * "pg1", "error": "…"}}: what the node to restore into read of the source named by the desired bootstrap.
     */
    private static RestoreSource restoreSource(JsonNode source, DesiredCluster desired) {
        Bootstrap.Restore r = (Bootstrap.Restore) desired.bootstrap();
        String node = source.path("node").asText();
        if (source.has("error")) {
            return new RestoreSource(r.from(), node, Optional.empty(), Optional.of(source.path("error").asText()));
        }
        return new RestoreSource(r.from(), node, Optional.of(BackupCatalog.parse(source.path("info").toString(),
                "main")), Optional.empty());
    }

    private static void fill(ObjectNode n, DesiredCluster desired, java.util.Map<String, String> markerHosts) {
        String name = n.path("name").asText();
        Optional<NodeSpec> spec = desired.node(name);
        String state = n.path("state").asText();
        boolean data = state.equals("PRIMARY") || state.equals("STANDBY") || state.equals("DEACTIVATED");
        boolean serving = state.equals("PRIMARY") || state.equals("STANDBY");
        putIfAbsent(n, "host", spec.map(NodeSpec::host).orElse(markerHosts.getOrDefault(name, name)));
        if (!n.has("running")) {
            n.put("running", serving);
        }
        if (!n.has("rebootRequired")) {
            n.put("rebootRequired", false);
        }
        if (data) {
            if (!n.has("version")) {
                n.put("version", desired.postgres().version());
            }
            putIfAbsent(n, "systemIdentifier", SYSTEM_IDENTIFIER);
            if (!n.has("timeline")) {
                n.put("timeline", 1);
            }
        }
        if (!n.has("configFiles")) {
            ObjectNode files = n.putObject("configFiles");
            if (data) {
                files.put(ConfigFiles.HBA, ConfigFiles.sha256(ConfigFiles.hba(desired)));
            }
        }
        if (!n.has("configParameters")) {
            ObjectNode params = n.putObject("configParameters");
            if (data && spec.isPresent()) {
                ConfigFiles.nodeParameters(desired, spec.get()).forEach(params::put);
            }
        }
        if (!n.has("sql") && n.path("running").asBoolean() && serving) {
            n.putObject("sql");
        }
        if (n.has("sql") && n.get("sql").isObject()) {
            ObjectNode sql = (ObjectNode) n.get("sql");
            boolean standby = state.equals("STANDBY");
            putIfAbsent(sql, "serverVersion", desired.postgres().version() + ".6");
            if (!sql.has("inRecovery")) {
                sql.put("inRecovery", standby);
            }
            if (standby) {
                putIfAbsent(sql, "walReceiverStatus", "streaming");
            }
            if (!sql.has("replication")) {
                sql.putArray("replication");
            }
            if (!sql.has("settings")) {
                sql.putObject("settings");
            }
            if (!sql.has("roles")) {
                ArrayNode roles = sql.putArray("roles");
                ConfigFiles.ROLES.forEach(roles::add);
            }
            if (!sql.has("connections")) {
                sql.put("connections", 3);
            }
            if (!sql.has("maxConnections")) {
                sql.put("maxConnections", 100);
            }
        }
    }

    private static void putIfAbsent(ObjectNode n, String field, String value) {
        if (!n.has(field)) {
            n.put(field, value);
        }
    }
}
