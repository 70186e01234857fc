package io.pgrds.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.plan.Action;
import io.pgrds.plan.ActionKind;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.FleetPlan;
import io.pgrds.plan.ParameterChange;
import io.pgrds.plan.Refusal;
import io.pgrds.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The plan JSON format, version 1, both ways. {@code docs/plan-json.md} documents it; a change to what is written
 * here is a change to that document (and, when not additive, to {@link #FORMAT_VERSION}).
 */
public final class PlanJson {
    public static final String FORMAT_VERSION = "1";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PlanJson() {
    }

    public static ObjectNode tree(FleetPlan plan) {
        ObjectNode root = NODES.objectNode();
        root.put("format_version", FORMAT_VERSION);
        putOptional(root, "commit", plan.commit());
        ArrayNode clusters = root.putArray("clusters");
        plan.clusters().forEach(c -> clusters.add(cluster(c)));
        ObjectNode summary = root.putObject("summary");
        summary.put("add", plan.count(ActionKind.Symbol.ADD));
        summary.put("change", plan.count(ActionKind.Symbol.CHANGE));
        summary.put("remove", plan.count(ActionKind.Symbol.REMOVE));
        summary.put("refused", plan.clusters().stream().filter(ClusterPlan::refused).count());
        return root;
    }

    static String write(JsonNode tree) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return Json.mapper().writer(printer).writeValueAsString(tree) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    static ObjectNode cluster(ClusterPlan c) {
        ObjectNode o = NODES.objectNode();
        o.put("id", c.id().toString());
        o.put("decision", c.decision());
        ArrayNode actions = o.putArray("actions");
        c.actions().forEach(a -> actions.add(action(a)));
        ArrayNode refusals = o.putArray("refusals");
        for (Refusal r : c.refusals()) {
            ObjectNode ro = refusals.addObject();
            ro.put("code", r.code());
            putOptional(ro, "node", r.node());
            ro.put("message", r.message());
            ro.put("next_step", r.nextStep());
        }
        strings(o.putArray("warnings"), c.warnings());
        strings(o.putArray("dangers"), c.dangers());
        ObjectNode startStop = o.putObject("start_stop");
        c.startStop().forEach(startStop::put);
        return o;
    }

    static ObjectNode action(Action a) {
        ObjectNode o = NODES.objectNode();
        o.put("type", a.kind().type());
        o.put("symbol", a.kind().symbol().text());
        o.put("summary", a.describe());
        if (a instanceof Action.OnNode one) {
            o.put("node", one.node());
        }
        switch (a.kind()) {
            case INIT_PRIMARY, START_NODE, DEACTIVATE -> {
                // the node is all there is to say
            }
            case RESTORE_PRIMARY -> {
                Action.RestorePrimary r = (Action.RestorePrimary) a;
                o.put("from", r.from().toString());
                ObjectNode t = o.putObject("target");
                t.put("kind", r.target().kind().name().toLowerCase(Locale.ROOT));
                t.put("value", r.target().value());
                o.put("backup", r.backup().orElse(null));
                o.put("archivedUpTo", r.archivedUpTo().orElse(null));
            }
            case CLONE_STANDBY -> o.put("from", ((Action.CloneStandby) a).from());
            case FENCE -> {
                Action.Fence f = (Action.Fence) a;
                o.put("method", f.method().name().toLowerCase(Locale.ROOT));
                putOptional(o, "hook", f.hook());
            }
            case PROMOTE -> {
                Action.Promote p = (Action.Promote) a;
                putOptional(o, "former_primary", p.formerPrimary());
                o.put("fencing", p.fencing().name().toLowerCase(Locale.ROOT));
            }
            case SWITCHOVER -> {
                Action.Switchover s = (Action.Switchover) a;
                o.put("from", s.from());
                o.put("to", s.to());
                if (s.switchBack()) {
                    o.put("switch_back", true);
                }
            }
            case REJOIN -> o.put("new_primary", ((Action.Rejoin) a).newPrimary());
            case REPOINT -> {
                Action.Repoint r = (Action.Repoint) a;
                putOptional(o, "from", r.from());
                o.put("to", r.to());
            }
            case CHANGE_PARAMETERS -> {
                strings(o.putArray("nodes"), a.nodes());
                changes(o.putArray("changes"), ((Action.ChangeParameters) a).changes());
            }
            case CHANGE_HBA -> strings(o.putArray("nodes"), a.nodes());
            case ENSURE_ROLES -> strings(o.putArray("roles"), ((Action.EnsureRoles) a).roles());
            case CONFIGURE_BACKUP -> {
                Action.ConfigureBackup b = (Action.ConfigureBackup) a;
                o.put("stanza", b.stanza());
                o.put("repository", b.repository());
                o.put("primary", b.primary());
                strings(o.putArray("nodes"), b.nodes());
                strings(o.putArray("trusted"), b.trusted());
            }
            case REGISTER_ENDPOINT -> {
                Action.RegisterEndpoint r = (Action.RegisterEndpoint) a;
                o.put("service", r.service());
                o.put("primary", r.primary());
            }
            case ENABLE_AT_BOOT, DISABLE_AT_BOOT -> o.put("unit", ((Action.AtBoot) a).unit());
        }
        o.put("reason", a.reason());
        putOptional(o, "risk", a.risk());
        return o;
    }

    private static void changes(ArrayNode array, List<ParameterChange> changes) {
        for (ParameterChange p : changes) {
            ObjectNode po = array.addObject();
            po.put("name", p.name());
            putOptional(po, "old", p.oldValue());
            putOptional(po, "new", p.newValue());
            po.put("restart", p.restart());
            po.put("context_known", p.contextKnown());
        }
    }

    // ------------------------------------------------------------------ reading

    static ClusterPlan readCluster(JsonNode o) {
        String id = text(o, "id");
        ClusterId cid = ClusterId.parse(id);
        if (cid == null) {
            throw invalid("cluster id " + id + " is not team/stage");
        }
        List<Action> actions = new ArrayList<>();
        o.path("actions").forEach(a -> actions.add(readAction(a)));
        List<Refusal> refusals = new ArrayList<>();
        o.path("refusals").forEach(r -> refusals.add(new Refusal(text(r, "code"), id, optional(r, "node"),
                text(r, "message"), text(r, "next_step"))));
        java.util.SortedMap<String, String> startStop = new java.util.TreeMap<>();
        o.path("start_stop").fields().forEachRemaining(e -> startStop.put(e.getKey(), e.getValue().asText()));
        return new ClusterPlan(cid, actions, refusals, strings(o.path("warnings")), text(o, "decision"),
                strings(o.path("dangers")), startStop);
    }

    static Action readAction(JsonNode o) {
        String reason = text(o, "reason");
        Optional<String> risk = optional(o, "risk");
        ActionKind kind;
        try {
            kind = ActionKind.ofType(text(o, "type"));
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        return switch (kind) {
            case INIT_PRIMARY -> new Action.InitPrimary(text(o, "node"), reason, risk);
            case RESTORE_PRIMARY -> {
                JsonNode t = o.path("target");
                Bootstrap.RecoveryTarget target = new Bootstrap.RecoveryTarget(
                        Bootstrap.RecoveryTarget.Kind.valueOf(text(t, "kind").toUpperCase(Locale.ROOT)),
                        text(t, "value"));
                ClusterId from = ClusterId.parse(text(o, "from"));
                yield new Action.RestorePrimary(text(o, "node"), from, target, optional(o, "backup"),
                        optional(o, "archivedUpTo"), reason, risk);
            }
            case CLONE_STANDBY -> new Action.CloneStandby(text(o, "node"), text(o, "from"), reason, risk);
            case START_NODE -> new Action.StartNode(text(o, "node"), reason, risk);
            case FENCE -> new Action.Fence(text(o, "node"), enumOf(Action.Fence.Method.class, text(o, "method")),
                    optional(o, "hook"), reason, risk);
            case PROMOTE -> new Action.Promote(text(o, "node"), optional(o, "former_primary"),
                    o.has("fencing") ? enumOf(Action.Promote.Fencing.class, text(o, "fencing"))
                            : Action.Promote.Fencing.SEEN_STOPPED, reason, risk);
            case SWITCHOVER -> new Action.Switchover(text(o, "from"), text(o, "to"), reason, risk,
                    o.path("switch_back").asBoolean(false));
            case REJOIN -> new Action.Rejoin(text(o, "node"), text(o, "new_primary"), reason, risk);
            case REPOINT -> new Action.Repoint(text(o, "node"), optional(o, "from"), text(o, "to"), reason, risk);
            case DEACTIVATE -> new Action.Deactivate(text(o, "node"), reason, risk);
            case CHANGE_PARAMETERS -> {
                List<ParameterChange> changes = new ArrayList<>();
                o.path("changes").forEach(c -> changes.add(new ParameterChange(text(c, "name"), optional(c, "old"),
                        optional(c, "new"), c.path("restart").asBoolean(true),
                        c.path("context_known").asBoolean(false))));
                yield new Action.ChangeParameters(changes, strings(o.path("nodes")), reason, risk);
            }
            case CHANGE_HBA -> new Action.ChangeHba(strings(o.path("nodes")), reason, risk);
            case ENSURE_ROLES -> new Action.EnsureRoles(text(o, "node"), strings(o.path("roles")), reason, risk);
            case CONFIGURE_BACKUP -> new Action.ConfigureBackup(text(o, "stanza"), text(o, "repository"),
                    text(o, "primary"), strings(o.path("nodes")), strings(o.path("trusted")), reason, risk);
            case REGISTER_ENDPOINT -> new Action.RegisterEndpoint(text(o, "service"), text(o, "primary"), reason,
                    risk);
            case ENABLE_AT_BOOT, DISABLE_AT_BOOT -> new Action.AtBoot(text(o, "node"), text(o, "unit"),
                    kind == ActionKind.ENABLE_AT_BOOT, reason, risk);
        };
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String value) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("\"" + value + "\" is not one of " + java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
        }
    }

    static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw invalid("\"" + field + "\" is missing or not a string");
        }
        return v.asText();
    }

    static Optional<String> optional(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    static PgrdsException invalid(String why) {
        return new PgrdsException(ErrorCode.USAGE, "Unable to read the saved plan as " + why + ". Create it again "
                + "with `pgrds plan --out FILE`.");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    static void putOptional(ObjectNode o, String field, Optional<String> value) {
        if (value.isPresent()) {
            o.put(field, value.get());
        } else {
            o.putNull(field);
        }
    }
}
