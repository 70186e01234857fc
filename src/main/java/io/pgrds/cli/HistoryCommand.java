package io.pgrds.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.app.ClusterAdmin;
import io.pgrds.apply.Audit;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.util.Json;
import io.pgrds.util.Units;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Show every apply of a cluster, newest first, whoever ran it (from the audit trail kept on the "
                + "cluster's nodes, merged with the local copy).")
final class HistoryCommand extends ClusterCommand {
    @Option(names = "--limit", defaultValue = "20", description = "Show at most N applies (default ${DEFAULT-VALUE}).")
    private int limit;

    @Option(names = "--json", description = "Print the documented JSON format (docs/history-json.md).")
    private boolean json;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new PgrdsException(ErrorCode.USAGE, "--limit " + limit + " shows nothing: give the number of "
                    + "applies to show, at least 1 (default 20).");
        }
        Terminal t = terminal();
        var c = desired();
        ClusterAdmin.History h = connected(s -> new ClusterAdmin(s).history(c));
        h.unreachable().forEach(n -> t.warn(n + " is unreachable; its copy of the history is not included"));
        List<Audit> shown = h.applies().subList(0, Math.min(limit, h.applies().size()));
        if (json) {
            t.out().print(json(c.id().toString(), h.unreachable(), shown));
            return 0;
        }
        t.out().println("pgrds history — " + c.id());
        if (h.applies().isEmpty()) {
            t.out().println("\nNo apply recorded yet.");
        }
        for (Audit a : shown) {
            t.out().println();
            t.out().println(a.time() + "  " + a.user() + "@" + a.host() + "  commit "
                    + a.commit().map(x -> x.substring(0, Math.min(7, x.length()))).orElse("-") + "  "
                    + (a.dryRun() ? "dry run" : a.outcome()));
            for (Audit.Entry e : a.actions()) {
                t.out().println("  " + e.result() + "  " + e.action() + " (" + Units.millis(e.millis()) + ")"
                        + e.error().map(x -> ": " + x).orElse(""));
            }
        }
        return 0;
    }

    /** format_version 1: the cluster, the nodes whose copy is missing, the applies newest first (audit records). */
    static String json(String cluster, List<String> unreachable, List<Audit> applies) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("format_version", "1");
        root.put("cluster", cluster);
        unreachable.forEach(root.putArray("unreachable")::add);
        ArrayNode a = root.putArray("applies");
        try {
            for (Audit x : applies) {
                a.add(Json.mapper().readTree(x.toJsonLine()));
            }
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
