package io.pgrds.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.desired.load.Problem;
import io.pgrds.util.Json;
import io.pgrds.util.Palette;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What {@code pgrds validate} prints: the clusters with their nodes, or every problem; as text or as JSON. */
public final class ValidateRenderer {
    /** The documented JSON format's version (docs/validate-json.md). */
    public static final String JSON_FORMAT_VERSION = "1";

    private ValidateRenderer() {
    }

    /** The last line of the problems' summary ("3 problems in 2 files."). */
    public static String summary(FleetLoader.Result result) {
        String all = FleetLoader.describe(result.problems());
        return all.substring(all.lastIndexOf('\n') + 1);
    }

    public static String text(String source, FleetLoader.Result result, List<DesiredCluster> shown, boolean colour) {
        StringBuilder b = new StringBuilder("pgrds validate — ").append(source).append("\n\n");
        if (!result.ok()) {
            for (Problem p : result.problems()) {
                b.append(Palette.BAD.paint("✗ ", colour)).append(p).append('\n');
            }
            return b.append('\n').append(summary(result)).append(" Nothing was changed.\n").toString();
        }
        int width = shown.stream().mapToInt(c -> c.id().toString().length()).max().orElse(0);
        int nodes = 0;
        for (DesiredCluster c : shown) {
            List<String> names = new ArrayList<>();
            for (NodeSpec n : c.nodes()) {
                names.add(n.name() + (c.primary().map(n.name()::equals).orElse(false) ? " (pinned primary)" : ""));
            }
            nodes += c.nodes().size();
            b.append(String.format(Locale.ROOT, "%-" + width + "s  %-5s  %d %s  %s%n", c.id(),
                    c.transport().name().toLowerCase(Locale.ROOT), c.nodes().size(),
                    c.nodes().size() == 1 ? "node " : "nodes", String.join(", ", names)));
        }
        return b.append('\n').append(Palette.GOOD.paint("✓ ", colour)).append(shown.size())
                .append(shown.size() == 1 ? " cluster, " : " clusters, ").append(nodes)
                .append(nodes == 1 ? " node" : " nodes").append(": valid.\n").toString();
    }

    public static String json(Optional<String> commit, String ref, FleetLoader.Result result,
                              List<DesiredCluster> shown) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("format_version", JSON_FORMAT_VERSION);
        root.put("commit", commit.orElse(null));
        root.put("ref", commit.isPresent() ? ref : null);
        root.put("valid", result.ok());
        ArrayNode clusters = root.putArray("clusters");
        for (DesiredCluster c : result.ok() ? shown : List.<DesiredCluster>of()) {
            ObjectNode cn = clusters.addObject();
            cn.put("id", c.id().toString());
            cn.put("file", c.file());
            cn.put("transport", c.transport().name().toLowerCase(Locale.ROOT));
            cn.put("primary", c.primary().orElse(null));
            ArrayNode ns = cn.putArray("nodes");
            for (NodeSpec n : c.nodes()) {
                ns.addObject().put("name", n.name()).put("host", n.host()).put("port", n.port());
            }
        }
        ArrayNode problems = root.putArray("problems");
        for (Problem p : result.problems()) {
            problems.addObject().put("file", p.file()).put("line", p.line()).put("column", p.column())
                    .put("pointer", p.pointer()).put("code", p.code().name()).put("message", p.message());
        }
        root.put("summary", result.ok() ? null : summary(result));
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
