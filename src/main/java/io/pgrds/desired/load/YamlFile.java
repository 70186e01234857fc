package io.pgrds.desired.load;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * One YAML file of the fleet repository, parsed into a JSON tree that remembers where every value came
 * from (line and column by JSON pointer), so that errors found later — in the merged document, by the
 * schema or by the semantic checks — still point at the exact place in the exact file.
 */
public final class YamlFile {
    /** Cluster files are small; a huge one is a mistake (a generated dump, a binary) and is refused early. */
    public static final int MAX_BYTES = 1024 * 1024;

    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .loaderOptions(loaderOptions())
            .build();

    private final String path;
    private final Optional<ObjectNode> root;
    private final Map<String, Location> locations;
    private final List<Problem> problems;

    /** A position in a file, 1-based. */
    public record Location(int line, int column) {
    }

    private YamlFile(String path, Optional<ObjectNode> root, Map<String, Location> locations, List<Problem> problems) {
        this.path = path;
        this.root = root;
        this.locations = locations;
        this.problems = List.copyOf(problems);
    }

    public String path() {
        return path;
    }

    /** The document, when it parsed as a mapping (also when it was empty: then an empty mapping). */
    public Optional<ObjectNode> root() {
        return root;
    }

    public List<Problem> problems() {
        return problems;
    }

    /** Where the value at this pointer (or, for a mapping entry, its key) was written, if in this file. */
    public Optional<Location> location(String pointer) {
        return Optional.ofNullable(locations.get(pointer));
    }

    /**
     * Parses one file.
     *
     * @param emptyAllowed whether an empty file is fine (defaults and team files) or a mistake (cluster files)
     */
    public static YamlFile parse(String path, byte[] bytes, boolean emptyAllowed) {
        if (bytes.length > MAX_BYTES) {
            return failed(path, new Problem(path, 0, 0, "", ProblemCode.FILE_TOO_LARGE, String.format(
                    "the file is %.1f MiB; fleet files are limited to %d KiB. Split it, or check that it is the "
                            + "file you meant to commit.", bytes.length / 1048576.0, MAX_BYTES / 1024)));
        }
        String text;
        try {
            text = decodeUtf8(bytes);
        } catch (CharacterCodingException e) {
            int offset = firstInvalidUtf8(bytes);
            Location at = locationOfByte(bytes, offset);
            return failed(path, new Problem(path, at.line, at.column, "", ProblemCode.NOT_UTF8, String.format(
                    "byte 0x%02X is not valid UTF-8; save the file as UTF-8.", bytes[offset] & 0xFF)));
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Problem> tabs = tabIndentation(path, text);
        if (!tabs.isEmpty()) {
            return failed(path, tabs.toArray(new Problem[0]));
        }
        Map<String, Location> locations = new HashMap<>();
        List<Problem> problems = new ArrayList<>();
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                if (emptyAllowed) {
                    return new YamlFile(path, Optional.of(JsonNodeFactory.instance.objectNode()), locations, problems);
                }
                return failed(path, new Problem(path, 1, 1, "", ProblemCode.EMPTY_FILE,
                        "the file is empty; a cluster file needs at least `nodes:` (see clusters/defaults.yaml "
                                + "for the shared settings)."));
            }
            if (first != JsonToken.START_OBJECT) {
                Location at = location(parser.currentTokenLocation());
                return failed(path, new Problem(path, at.line, at.column, "", ProblemCode.NOT_A_MAPPING,
                        "the file must be a mapping of keys (like `nodes:`), found " + describe(first) + "."));
            }
            locations.put("", location(parser.currentTokenLocation()));
            ObjectNode root = readObject(parser, "", locations, problems, path);
            JsonToken extra = parser.nextToken();
            if (extra != null) {
                Location at = location(parser.currentTokenLocation());
                problems.add(new Problem(path, at.line, at.column, "", ProblemCode.YAML_SYNTAX,
                        "only one YAML document per file; remove the second document (after `---`)."));
            }
            return new YamlFile(path, Optional.of(root), locations, problems);
        } catch (JsonProcessingException e) {
            Location at = e.getLocation() == null ? new Location(0, 0) : location(e.getLocation());
            return failed(path, new Problem(path, at.line, at.column, "", ProblemCode.YAML_SYNTAX,
                    syntaxMessage(e)));
        } catch (IOException e) {
            return failed(path, new Problem(path, 0, 0, "", ProblemCode.YAML_SYNTAX, "cannot read: " + e.getMessage()));
        }
    }

    private static YamlFile failed(String path, Problem... problems) {
        return new YamlFile(path, Optional.empty(), Map.of(), List.of(problems));
    }

    private static ObjectNode readObject(JsonParser p, String pointer, Map<String, Location> locations,
                                         List<Problem> problems, String path) throws IOException {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        Map<String, Location> seen = new HashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            Location keyAt = location(p.currentTokenLocation());
            String child = pointer + "/" + escape(key);
            p.nextToken();
            JsonNode value = readValue(p, child, locations, problems, path);
            Location first = seen.putIfAbsent(key, keyAt);
            if (first != null) {
                problems.add(new Problem(path, keyAt.line, keyAt.column, child, ProblemCode.DUPLICATE_KEY,
                        "key \"" + key + "\" appears twice (first at line " + first.line + "); YAML keeps only one "
                                + "of them: remove or merge the duplicate."));
                continue;
            }
            locations.put(child, keyAt);
            node.set(key, value);
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IllegalStateException("unexpected token " + t);
        }
        return node;
    }

    private static JsonNode readValue(JsonParser p, String pointer, Map<String, Location> locations,
                                      List<Problem> problems, String path) throws IOException {
        JsonToken t = p.currentToken();
        locations.putIfAbsent(pointer, location(p.currentTokenLocation()));
        switch (t) {
            case START_OBJECT:
                return readObject(p, pointer, locations, problems, path);
            case START_ARRAY: {
                ArrayNode array = JsonNodeFactory.instance.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String child = pointer + "/" + i++;
                    locations.put(child, location(p.currentTokenLocation()));
                    array.add(readValue(p, child, locations, problems, path));
                }
                return array;
            }
            case VALUE_STRING:
                return JsonNodeFactory.instance.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return JsonNodeFactory.instance.numberNode(p.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT:
                return JsonNodeFactory.instance.numberNode(p.getDecimalValue());
            case VALUE_TRUE:
                return JsonNodeFactory.instance.booleanNode(true);
            case VALUE_FALSE:
                return JsonNodeFactory.instance.booleanNode(false);
            case VALUE_NULL:
                return JsonNodeFactory.instance.nullNode();
            default:
                throw new IllegalStateException("unexpected token " + t);
        }
    }

    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static Location location(JsonLocation l) {
        return new Location(Math.max(l.getLineNr(), 0), Math.max(l.getColumnNr(), 0));
    }

    private static String describe(JsonToken t) {
        switch (t) {
            case START_ARRAY:
                return "a list";
            case VALUE_STRING:
                return "a text";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "an empty value";
            default:
                return t.toString();
        }
    }

    /** SnakeYAML's own words, without Jackson's source excerpt, as one sentence. */
    private static String syntaxMessage(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException y && y.getProblem() != null) {
            StringBuilder b = new StringBuilder("not valid YAML: ").append(y.getProblem().trim());
            if (y.getContext() != null && y.getContextMark() != null) {
                b.append(" (").append(y.getContext().trim()).append(" that starts at line ")
                        .append(y.getContextMark().getLine() + 1).append(", column ")
                        .append(y.getContextMark().getColumn() + 1).append(')');
            }
            return b.append(". Check indentation and quoting around this place.").toString();
        }
        String m = e.getOriginalMessage();
        if (m == null) {
            m = "not valid YAML";
        }
        m = m.replaceAll("\\s*in 'reader', line \\d+, column \\d+:?", "").replaceAll("\\s+", " ").trim();
        // SnakeYAML repeats a quoted snippet of the line after its message; the location already points there
        int snippet = m.indexOf(" ^");
        if (snippet > 0) {
            m = m.substring(0, snippet).trim();
        }
        return "not valid YAML: " + m + ". Check indentation and quoting around this place.";
    }

    private static List<Problem> tabIndentation(String path, String text) {
        List<Problem> problems = new ArrayList<>();
        int line = 1;
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            for (int i = start; i < end; i++) {
                char c = text.charAt(i);
                if (c == '\t') {
                    problems.add(new Problem(path, line, i - start + 1, "", ProblemCode.TAB_INDENTATION,
                            "a tab in the indentation; YAML indents with spaces only: replace the tab with spaces."));
                    break;
                }
                if (c != ' ' && c != '-') {
                    break;
                }
            }
            line++;
            start = end + 1;
        }
        return problems;
    }

    private static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return d.decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static int firstInvalidUtf8(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        d.decode(in, out, true);
        return Math.min(in.position(), bytes.length - 1);
    }

    /** Line and column (in characters) of a byte offset, counting only the valid text before it. */
    private static Location locationOfByte(byte[] bytes, int offset) {
        String before = new String(bytes, 0, offset, StandardCharsets.UTF_8);
        int line = 1;
        int lastNewline = -1;
        for (int i = 0; i < before.length(); i++) {
            if (before.charAt(i) == '\n') {
                line++;
                lastNewline = i;
            }
        }
        return new Location(line, before.codePointCount(lastNewline + 1, before.length()) + 1);
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setCodePointLimit(MAX_BYTES + 1);
        o.setAllowDuplicateKeys(true); // we report duplicates ourselves, with both lines
        o.setMaxAliasesForCollections(20);
        return o;
    }
}
