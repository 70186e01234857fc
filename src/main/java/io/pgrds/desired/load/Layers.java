package io.pgrds.desired.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files that make up one cluster, lowest priority first: built-in defaults, {@code defaults.yaml},
 * {@code <team>/team.yaml}, {@code <team>/<stage>.yaml}. Merges them (maps deep-merge, lists and scalars
 * replace, an explicit empty value removes a key) and answers where a merged value was written.
 */
final class Layers {
    private final List<YamlFile> files;
    private final String clusterFile;

    Layers(List<YamlFile> files, String clusterFile) {
        this.files = List.copyOf(files);
        this.clusterFile = clusterFile;
    }

    /**
     * Mappings that hold a choice of exactly one key ({@code initdb} or {@code restore}; a recovery target):
     * a higher file replaces them whole, since merging two choices would make a document with both.
     */
    private static final java.util.Set<String> CHOICES = java.util.Set.of("/bootstrap", "/bootstrap/restore/target");

    ObjectNode merge() {
        ObjectNode merged = files.get(0).root().orElseThrow().deepCopy();
        for (YamlFile f : files.subList(1, files.size())) {
            mergeInto(merged, f.root().orElseThrow(), "");
        }
        return merged;
    }

    private static void mergeInto(ObjectNode target, ObjectNode source, String pointer) {
        Iterator<Map.Entry<String, JsonNode>> it = source.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = target.get(e.getKey());
            JsonNode value = e.getValue();
            String child = pointer + "/" + YamlFile.escape(e.getKey());
            if (value.isNull()) {
                target.remove(e.getKey());
            } else if (existing != null && existing.isObject() && value.isObject() && !CHOICES.contains(child)) {
                mergeInto((ObjectNode) existing, (ObjectNode) value, child);
            } else {
                target.set(e.getKey(), value.deepCopy());
            }
        }
    }

    /** Replaces {team}, {stage} and {version} in every text value. */
    static void expand(JsonNode node, Map<String, String> values) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isTextual()) {
                    e.setValue(TextNode.valueOf(substitute(e.getValue().asText(), values)));
                } else {
                    expand(e.getValue(), values);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode child = node.get(i);
                if (child.isTextual()) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i,
                            TextNode.valueOf(substitute(child.asText(), values)));
                } else {
                    expand(child, values);
                }
            }
        }
    }

    private static String substitute(String text, Map<String, String> values) {
        if (text.indexOf('{') < 0) {
            return text;
        }
        String out = text;
        for (Map.Entry<String, String> v : values.entrySet()) {
            out = out.replace("{" + v.getKey() + "}", v.getValue());
        }
        return out;
    }

    /**
     * Where the value at {@code pointer} of the merged document was written: the highest-priority file that
     * has it, else the nearest enclosing value that one has. Built-in defaults are reported against the
     * cluster file.
     */
    Located locate(String pointer) {
        String p = pointer;
        while (true) {
            for (int i = files.size() - 1; i >= 1; i--) {
                YamlFile f = files.get(i);
                Optional<YamlFile.Location> at = f.location(p);
                if (at.isPresent()) {
                    return new Located(f.path(), at.get().line(), at.get().column());
                }
            }
            if (p.isEmpty()) {
                return new Located(clusterFile, 0, 0);
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    Problem problem(String pointer, ProblemCode code, String message) {
        Located at = locate(pointer);
        return new Problem(at.file(), at.line(), at.column(), pointer, code, message);
    }

    record Located(String file, int line, int column) {
    }
}
