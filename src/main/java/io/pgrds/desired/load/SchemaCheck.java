package io.pgrds.desired.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.util.Texts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.everit.json.schema.EnumSchema;
import org.everit.json.schema.ObjectSchema;
import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;
import org.everit.json.schema.loader.SchemaLoader;
import org.everit.json.schema.regexp.JavaUtilRegexpFactory;
import org.json.JSONArray;
import org.json.JSONObject;
import org.json.JSONTokener;

/**
 * Validates a merged cluster document against {@code schema/cluster.schema.json} (draft-07, everit) and
 * turns everit's findings into {@link Finding}s with a stable code, the JSON pointer and a message that
 * says what is expected.
 */
final class SchemaCheck {
    private static final Pattern EXTRANEOUS = Pattern.compile("extraneous key \\[(.*)] is not permitted");
    private static final Pattern REQUIRED = Pattern.compile("required key \\[(.*)] not found");
    private static final Pattern TYPE = Pattern.compile("expected type: (\\w+), found: (\\w+)");

    private static final String NO_MATCH = "] does not match pattern ";

    private static final JSONObject RAW = raw();
    private static final Schema SCHEMA = SchemaLoader.builder().draftV7Support()
            .regexpFactory(p -> new JavaUtilRegexpFactory().createHandler(javaRegex(p))).schemaJson(RAW).build().load()
            .build();
    /** The description of every schema with a pattern, by the pattern as Java compiles it: what it allows, in words. */
    private static final Map<String, String> RULES = rules(RAW, new HashMap<>());

    /** One schema violation; {@code pointer} addresses the offending value (or the unknown key). */
    record Finding(String pointer, ProblemCode code, String message) {
    }

    private SchemaCheck() {
    }

    static List<Finding> check(JsonNode document) {
        JSONObject json = new JSONObject(new JSONTokener(document.toString()));
        try {
            SCHEMA.validate(json);
            return List.of();
        } catch (ValidationException e) {
            List<Finding> findings = new ArrayList<>();
            collect(e, document, findings);
            findings.sort(Comparator.comparing(Finding::pointer).thenComparing(Finding::message));
            return findings;
        }
    }

    private static void collect(ValidationException e, JsonNode document, List<Finding> out) {
        if (("oneOf".equals(e.getKeyword()) || "anyOf".equals(e.getKeyword()))
                && !e.getCausingExceptions().isEmpty()) {
            choice(e, document, out);
            return;
        }
        if (!e.getCausingExceptions().isEmpty()) {
            for (ValidationException cause : e.getCausingExceptions()) {
                collect(cause, document, out);
            }
            return;
        }
        String pointer = e.getPointerToViolation().replaceFirst("^#", "");
        String keyword = e.getKeyword() == null ? "" : e.getKeyword();
        String message = e.getErrorMessage();
        Matcher m;
        if ("additionalProperties".equals(keyword) && (m = EXTRANEOUS.matcher(message)).matches()) {
            String key = m.group(1);
            Set<String> allowed = e.getViolatedSchema() instanceof ObjectSchema o
                    ? new TreeSet<>(o.getPropertySchemas().keySet()) : Set.of();
            StringBuilder b = new StringBuilder("unknown key ").append(Texts.show(key));
            Suggest.closest(key, allowed).ifPresentOrElse(s -> b.append("; did you mean \"").append(s).append("\"?"),
                    () -> b.append('.'));
            if (!allowed.isEmpty()) {
                b.append(" Allowed here: ").append(String.join(", ", allowed)).append('.');
            }
            out.add(new Finding(pointer + "/" + YamlFile.escape(key), ProblemCode.UNKNOWN_KEY, b.toString()));
        } else if ("required".equals(keyword) && (m = REQUIRED.matcher(message)).matches()) {
            out.add(new Finding(pointer, ProblemCode.MISSING_KEY, "missing required key \"" + m.group(1) + "\"."));
        } else if ("type".equals(keyword) && (m = TYPE.matcher(message)).matches()) {
            JsonNode value = document.at(pointer);
            out.add(new Finding(pointer, ProblemCode.WRONG_TYPE, "expected " + typeName(m.group(1)) + ", found "
                    + typeName(m.group(2)) + (value.isValueNode() ? " (" + show(value) + ")" : "") + "."));
        } else if ("enum".equals(keyword) && e.getViolatedSchema() instanceof EnumSchema en) {
            List<String> values = en.getPossibleValues().stream().map(String::valueOf).sorted().toList();
            JsonNode value = document.at(pointer);
            StringBuilder b = new StringBuilder(value.isValueNode() ? show(value) + " is not allowed" : "not allowed");
            Optional<String> suggestion = value.isTextual() ? Suggest.closest(value.asText(), values) : Optional.empty();
            suggestion.ifPresentOrElse(s -> b.append("; did you mean \"").append(s).append("\"?"),
                    () -> b.append('.'));
            out.add(new Finding(pointer, ProblemCode.INVALID_VALUE, b + " Expected one of: "
                    + String.join(", ", values) + "."));
        } else {
            JsonNode value = document.at(pointer);
            // everit: "string [TEXT] does not match pattern REGEX"; TEXT is the value, or a key (propertyNames)
            int at = message.lastIndexOf(NO_MATCH);
            String rule = "pattern".equals(keyword) && at >= 0 ? RULES.get(message.substring(at + NO_MATCH.length()))
                    : null;
            if (rule != null && message.startsWith("string [")) {
                // the pattern's schema says in words what it allows; the regular expression would only puzzle
                out.add(new Finding(pointer, ProblemCode.INVALID_VALUE, Texts.show(message.substring(
                        "string [".length(), at)) + " is not allowed here. " + rule));
                return;
            }
            String described = describe(keyword, message, e.getViolatedSchema());
            out.add(new Finding(pointer, ProblemCode.INVALID_VALUE,
                    (value.isValueNode() ? show(value) + ": " : "") + described));
        }
    }

    /**
     * A value that may take one of several forms ({@code backup.schedule}: a text or a mapping): the findings of
     * the form of the value's own type, not "expected a text" for a mapping; when no form has that type, one
     * finding that lists the forms.
     */
    private static void choice(ValidationException e, JsonNode document, List<Finding> out) {
        String pointer = e.getPointerToViolation().replaceFirst("^#", "");
        List<ValidationException> sameType = new ArrayList<>();
        Set<String> expected = new java.util.LinkedHashSet<>();
        String found = null;
        for (ValidationException cause : e.getCausingExceptions()) {
            Optional<Matcher> m = typeMismatch(cause, e.getPointerToViolation());
            if (m.isPresent()) {
                expected.add(typeName(m.get().group(1)));
                found = m.get().group(2);
            } else {
                sameType.add(cause);
            }
        }
        if (!sameType.isEmpty()) {
            sameType.forEach(c -> collect(c, document, out));
            return;
        }
        JsonNode value = document.at(pointer);
        out.add(new Finding(pointer, ProblemCode.WRONG_TYPE, "expected " + String.join(" or ", expected) + ", found "
                + typeName(found) + (value.isValueNode() ? " (" + show(value) + ")" : "") + "."));
    }

    /** The form's own type mismatch at the value (itself, or among the form's findings), if that is what it is. */
    private static Optional<Matcher> typeMismatch(ValidationException cause, String pointer) {
        Matcher m = TYPE.matcher(String.valueOf(cause.getErrorMessage()));
        if ("type".equals(cause.getKeyword()) && cause.getPointerToViolation().equals(pointer) && m.matches()) {
            return Optional.of(m);
        }
        for (ValidationException c : cause.getCausingExceptions()) {
            Optional<Matcher> inner = typeMismatch(c, pointer);
            if (inner.isPresent()) {
                return inner;
            }
        }
        return Optional.empty();
    }

    /** A value as a message shows it: a text quoted, escaped and shortened ({@link Texts#show}), else as JSON. */
    private static String show(JsonNode value) {
        return value.isTextual() ? Texts.show(value.asText()) : value.toString();
    }

    private static String describe(String keyword, String message, Schema schema) {
        String hint = schema.getDescription() == null ? "" : " " + schema.getDescription();
        switch (keyword) {
            case "minimum":
            case "maximum":
                return message.replace("is not greater or equal to", "must be at least")
                        .replace("is not less or equal to", "must be at most").replaceFirst("^\\S+ ", "") + "." + hint;
            case "pattern":
                if (message.contains("\"^/\"")) {
                    return "must be an absolute path (starting with /).";
                }
                return "does not have the expected form (" + message.replaceFirst("^string \\[.*] ", "") + ")." + hint;
            case "minProperties":
            case "maxProperties":
                if (schema instanceof ObjectSchema o && o.getMaxProperties() == null) {
                    return "expected at least one of its keys (" + String.join(", ",
                            new TreeSet<>(o.getPropertySchemas().keySet())) + ")." + hint;
                }
                return "expected exactly one of its keys." + hint;
            case "minLength":
                return "must not be empty." + hint;
            default:
                return message + "." + hint;
        }
    }

    private static String typeName(String everit) {
        switch (everit.toLowerCase(Locale.ROOT)) {
            case "jsonobject":
                return "a mapping";
            case "jsonarray":
                return "a list";
            case "string":
                return "a text";
            case "integer":
                return "an integer";
            case "number":
            case "bigdecimal":
            case "double":
                return "a number";
            case "boolean":
                return "true or false";
            case "null":
                return "an empty value";
            default:
                return everit;
        }
    }

    /**
     * A schema pattern with the meaning JSON Schema gives it (ECMA 262), not Java's: there {@code $} matches only at
     * the end of the text, while Java's also matches before a final line break, so {@code ^[a-z]+$} would accept
     * {@code "abc\n"}. Every {@code $} outside a character class becomes {@code \z}. (The loader refuses line breaks
     * in every text before the schema runs; this keeps the schema exact on its own.)
     */
    static String javaRegex(String pattern) {
        StringBuilder b = new StringBuilder();
        boolean inClass = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                b.append(c).append(pattern.charAt(++i));
            } else if (inClass) {
                inClass = c != ']';
                b.append(c);
            } else if (c == '[') {
                inClass = true;
                b.append(c);
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == ']') {
                    b.append(pattern.charAt(++i)); // ECMA's [] and [^] are not Java's; no pgrds pattern uses them
                }
            } else if (c == '$') {
                b.append("\\z");
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static Map<String, String> rules(Object node, Map<String, String> out) {
        if (node instanceof JSONObject o) {
            if (o.opt("pattern") instanceof String p && o.opt("description") instanceof String d) {
                String before = out.put(javaRegex(p), d);
                if (before != null && !before.equals(d)) {
                    throw new IllegalStateException("cluster.schema.json: two descriptions for the pattern " + p
                            + "; give the rule one definition and refer to it");
                }
            }
            o.keySet().forEach(k -> rules(o.get(k), out));
        } else if (node instanceof JSONArray a) {
            a.forEach(v -> rules(v, out));
        }
        return out;
    }

    private static JSONObject raw() {
        try (InputStream in = SchemaCheck.class.getResourceAsStream("/io/pgrds/schema/cluster.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("cluster.schema.json is missing from the jar");
            }
            return new JSONObject(new JSONTokener(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
