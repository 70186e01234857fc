package io.pgrds.desired.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.util.Texts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Every check of one merged cluster document before it becomes records, in one place, so that the loader and its
 * search of earlier versions (whose nodes pgrds may also reach) apply the same rules:
 *
 * <ol>
 *   <li>no text and no key holds a control character or a line break ({@link ProblemCode#CONTROL_CHARACTER}),
 *       checked as written, before placeholders are expanded;</li>
 *   <li>placeholders are expanded;</li>
 *   <li>each field of a {@code postgres.hba} rule follows its own grammar ({@link HbaGrammar},
 *       {@link ProblemCode#INVALID_HBA});</li>
 *   <li>the schema ({@link SchemaCheck}), whose patterns constrain every other text.</li>
 * </ol>
 *
 * A value gets one problem: the schema's findings at a value already reported by the first checks (or inside it) are
 * left out, since they would say the same thing less precisely.
 */
final class ValueChecks {
    private ValueChecks() {
    }

    /** Expands the placeholders in {@code document} and returns every finding, sorted. */
    static List<SchemaCheck.Finding> check(ObjectNode document, Map<String, String> placeholders) {
        List<SchemaCheck.Finding> own = new ArrayList<>();
        controlCharacters(document, "", own);
        Layers.expand(document, placeholders);
        hba(document, own);
        List<SchemaCheck.Finding> all = new ArrayList<>(own);
        for (SchemaCheck.Finding f : SchemaCheck.check(document)) {
            if (own.stream().noneMatch(o -> f.pointer().equals(o.pointer())
                    || f.pointer().startsWith(o.pointer() + "/"))) {
                all.add(f);
            }
        }
        all.sort(Comparator.comparing(SchemaCheck.Finding::pointer).thenComparing(SchemaCheck.Finding::message));
        return all;
    }

    // ---- control characters ----

    private static void controlCharacters(JsonNode node, String pointer, List<SchemaCheck.Finding> out) {
        if (node.isTextual()) {
            control(node.asText(), pointer, out, false);
        } else if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = pointer + "/" + YamlFile.escape(e.getKey());
                if (!control(e.getKey(), child, out, true)) {
                    controlCharacters(e.getValue(), child, out);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                controlCharacters(node.get(i), pointer + "/" + i, out);
            }
        }
    }

    /** Reports the text's first control character; whether there was one. */
    private static boolean control(String text, String pointer, List<SchemaCheck.Finding> out, boolean key) {
        OptionalInt at = Texts.firstControl(text);
        if (at.isEmpty()) {
            return false;
        }
        int i = at.getAsInt();
        String what = Texts.describe(text.codePointAt(i)) + " at character " + (text.codePointCount(0, i) + 1);
        String message;
        if (key) {
            message = "the key " + Texts.show(text) + " holds " + what + "; keys are names without control "
                    + "characters: rename it.";
        } else if (pointer.startsWith("/postgres/parameters/")) {
            String name = pointer.substring("/postgres/parameters/".length()).replace("~1", "/").replace("~0", "~");
            message = "the value of parameter " + name + " holds " + what + "; a value in postgresql.conf is one "
                    + "line of text without control characters (line breaks, tabs, NUL): remove it.";
        } else {
            message = Texts.show(text) + " holds " + what + "; no text in a cluster file may hold control "
                    + "characters or line breaks (each would end a line of a configuration file or a command): "
                    + "remove it.";
        }
        out.add(new SchemaCheck.Finding(pointer, ProblemCode.CONTROL_CHARACTER, message));
        return true;
    }

    // ---- pg_hba rules ----

    private static void hba(JsonNode document, List<SchemaCheck.Finding> out) {
        JsonNode rules = document.path("postgres").path("hba");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode r = rules.get(i);
            if (!r.isObject()) {
                continue; // the schema says what it should be
            }
            String pointer = "/postgres/hba/" + i;
            field(r, "database", pointer, HbaGrammar::database, out);
            field(r, "user", pointer, HbaGrammar::user, out);
            String type = r.path("type").asText("");
            JsonNode address = r.get("address");
            boolean has = address != null && !address.isNull();
            if (type.equals("local")) {
                if (has) {
                    out.add(new SchemaCheck.Finding(pointer + "/address", ProblemCode.INVALID_HBA, "a local rule "
                            + "(Unix-domain socket) has no address; remove it, or make the rule type host."));
                }
            } else if (r.path("type").isTextual() && type.startsWith("host")) {
                if (has) {
                    field(r, "address", pointer, HbaGrammar::address, out);
                } else {
                    out.add(new SchemaCheck.Finding(pointer + "/type", ProblemCode.INVALID_HBA, "a " + type
                            + " rule needs an address: the clients it admits; " + HbaGrammar.ADDRESS_RULE + "."));
                }
            }
        }
    }

    private static void field(JsonNode rule, String field, String pointer, Function<String, Optional<String>> check,
                              List<SchemaCheck.Finding> out) {
        JsonNode v = rule.get(field);
        if (v == null || !v.isTextual() || Texts.firstControl(v.asText()).isPresent()) {
            return; // missing or of another type: the schema says so; a control character is reported already
        }
        check.apply(v.asText()).ifPresent(why -> out.add(new SchemaCheck.Finding(pointer + "/" + field,
                ProblemCode.INVALID_HBA, Texts.show(v.asText()) + ": " + why)));
    }
}
