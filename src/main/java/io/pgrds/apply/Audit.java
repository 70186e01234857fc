package io.pgrds.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One apply as the audit trail keeps it: who, where, from which commit, the plan, and per action the result
 * and duration. One JSON object a line, appended on every node of the cluster (and a local copy), so
 * {@code pgrds history} shows what every operator and the daemon did. Never holds a secret.
 */
public record Audit(String time, String user, String host, String cluster, Optional<String> commit, boolean dryRun,
                    List<Entry> actions, String outcome) {

    public record Entry(String action, String result, long millis, Optional<String> error) {
    }

    public String toJsonLine() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("time", time);
        o.put("user", user);
        o.put("host", host);
        o.put("cluster", cluster);
        o.put("commit", commit.orElse(null));
        o.put("dry_run", dryRun);
        ArrayNode a = o.putArray("actions");
        for (Entry e : actions) {
            ObjectNode x = a.addObject();
            x.put("action", e.action());
            x.put("result", e.result());
            x.put("millis", e.millis());
            x.put("error", e.error().orElse(null));
        }
        o.put("outcome", outcome);
        try {
            return Json.mapper().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Audit fromJsonLine(String line) throws JsonProcessingException {
        var o = Json.mapper().readTree(line);
        List<Entry> entries = new ArrayList<>();
        for (var x : o.path("actions")) {
            entries.add(new Entry(x.path("action").asText(), x.path("result").asText(), x.path("millis").asLong(),
                    x.path("error").isNull() || x.path("error").isMissingNode() ? Optional.empty()
                            : Optional.of(x.path("error").asText())));
        }
        return new Audit(o.path("time").asText(), o.path("user").asText(), o.path("host").asText(),
                o.path("cluster").asText(), o.path("commit").isNull() ? Optional.empty()
                : Optional.of(o.path("commit").asText()), o.path("dry_run").asBoolean(), entries,
                o.path("outcome").asText());
    }
}
