package io.pgrds.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.harness.Cmd;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an apply that fails or loses a race must leave exactly as it was on one node (invariant I5), read as root
 * from the node's file system (so also when the postgres user cannot): pgrds's marker ({@code
 * <dataDirectory>.pgrds/marker.json}, byte for byte), the data directory's role ({@code standby.signal}, the
 * upstream in {@code pgrds-standby.conf}, {@code pg_controldata}'s cluster state) and whether PostgreSQL runs.
 * The checkpoint's timeline is deliberately left out: a standby's restartpoint moves it without anyone acting.
 */
public record NodeSnapshot(String node, String marker, boolean standbySignal, String standbyConf, boolean running,
                           String clusterState) {

    public static NodeSnapshot of(TestHosts hosts, TestNode n) {
        Path data = n.dataDirectory();
        String marker = read(Path.of(data + ".pgrds", "marker.json"));
        boolean standby = Files.exists(data.resolve("standby.signal"));
        String conf = read(data.resolve("pgrds-standby.conf"));
        String state = "(no data directory)";
        if (Files.exists(data.resolve("global/pg_control"))) {
            Cmd.Result r = hosts.tryRun(n.binDir() + "/pg_controldata", "-D", data.toString());
            state = r.output().lines().filter(l -> l.startsWith("Database cluster state:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst()
                    .orElse("(pg_controldata: " + r.output().strip() + ")");
        }
        return new NodeSnapshot(n.name(), marker, standby, conf, hosts.isRunning(n), state);
    }

    /** What differs from {@code after}, one line per field; empty when nothing does. */
    public List<String> differences(NodeSnapshot after) {
        List<String> out = new ArrayList<>();
        if (!marker.equals(after.marker)) {
            out.add(node + ": marker.json changed: " + markerChange(marker, after.marker));
        }
        if (standbySignal != after.standbySignal) {
            out.add(node + ": standby.signal " + (after.standbySignal ? "appeared" : "disappeared"));
        }
        if (!standbyConf.equals(after.standbyConf)) {
            out.add(node + ": pgrds-standby.conf changed from " + standbyConf.strip() + " to "
                    + after.standbyConf.strip());
        }
        if (running != after.running) {
            out.add(node + ": PostgreSQL " + (after.running ? "was started" : "was stopped"));
        }
        if (!clusterState.equals(after.clusterState)) {
            out.add(node + ": cluster state changed from '" + clusterState + "' to '" + after.clusterState + "'");
        }
        return out;
    }

    /** The fields of the marker that changed ({@code primary "node2" → "node1"}), or both texts. */
    static String markerChange(String before, String after) {
        try {
            JsonNode a = Json.mapper().readTree(before);
            JsonNode b = Json.mapper().readTree(after);
            if (a != null && b != null && a.isObject() && b.isObject()) {
                List<String> changed = new ArrayList<>();
                java.util.Set<String> names = new java.util.TreeSet<>();
                a.fieldNames().forEachRemaining(names::add);
                b.fieldNames().forEachRemaining(names::add);
                for (String f : names) {
                    if (!java.util.Objects.equals(a.get(f), b.get(f))) {
                        changed.add(f + " " + a.get(f) + " → " + b.get(f));
                    }
                }
                return String.join(", ", changed);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not JSON (absent, unreadable): show the texts
        }
        return before.strip() + " → " + after.strip();
    }

    @Override
    public String toString() {
        return node + ": " + (running ? "running" : "stopped") + ", " + clusterState + (standbySignal ? ", standby"
                : "") + ", marker " + marker.strip();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(none)";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
