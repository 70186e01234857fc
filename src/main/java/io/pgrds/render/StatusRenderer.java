package io.pgrds.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.observe.ArchiveHealth;
import io.pgrds.observe.ArchiverStats;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.WalFacts;
import io.pgrds.util.Json;
import io.pgrds.util.Palette;
import io.pgrds.util.Units;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code pgrds status} as a table per cluster (like patronictl list), or as versioned JSON. */
public final class StatusRenderer {
    public static final String JSON_FORMAT_VERSION = "2";
    private static final String[] HEADERS = {"NODE", "HOST", "STATE", "RUNNING", "VERSION", "TL", "LSN", "LAG",
            "CONNECTIONS", "FREE DISK", "ARCHIVE", "REBOOT"};
    private static final int STATE = 2;
    private static final int ARCHIVE = 10;

    private StatusRenderer() {
    }

    public static String text(String source, List<StatusView> views, boolean colour) {
        StringBuilder b = new StringBuilder("pgrds status — ").append(source).append("\n");
        for (StatusView v : views) {
            b.append('\n').append(v.cluster()).append('\n');
            List<String[]> cells = new ArrayList<>();
            cells.add(HEADERS);
            for (StatusView.Row r : v.rows()) {
                cells.add(new String[] {
                    r.node(), r.host(), r.state().name(), yesNo(known(r), r.running()), r.version().orElse("-"),
                    r.timeline().map(String::valueOf).orElse("-"), r.lsn().map(Object::toString).orElse("-"),
                    lag(r), r.connections().map(c -> c + "/" + r.maxConnections().map(String::valueOf).orElse("?"))
                        .orElse("-"),
                    r.freeDiskBytes().map(Units::bytes).orElse("-"), r.archive().map(ArchiveHealth::word).orElse("-"),
                    yesNo(known(r), r.rebootRequired())});
            }
            int[] width = new int[HEADERS.length];
            for (String[] row : cells) {
                for (int i = 0; i < row.length; i++) {
                    width[i] = Math.max(width[i], row[i].length());
                }
            }
            for (int line = 0; line < cells.size(); line++) {
                String[] row = cells.get(line);
                StringBuilder l = new StringBuilder("  ");
                for (int i = 0; i < row.length; i++) {
                    String cell = pad(row[i], width[i], i == row.length - 1);
                    if (line > 0 && i == STATE) {
                        cell = paint(cell, stateColour(row[STATE]), colour);
                    } else if (line > 0 && i == ARCHIVE && !row[ARCHIVE].equals("ok") && !row[ARCHIVE].equals("-")) {
                        cell = paint(cell, row[ARCHIVE].equals("behind") ? Palette.CAUTION : Palette.BAD, colour);
                    }
                    l.append(cell);
                    if (i < row.length - 1) {
                        l.append("  ");
                    }
                }
                b.append(l.toString().stripTrailing()).append('\n');
            }
            for (StatusView.Row r : v.rows()) {
                // each node's error once: in the summary line when that names it, else on a line of its own
                r.error().filter(e -> !v.summary().contains(r.node() + " " + r.state() + ": " + e))
                        .ifPresent(e -> b.append("  ").append(r.node()).append(": ").append(e).append('\n'));
                r.archive().filter(ArchiveHealth::problem).ifPresent(a -> b.append("  ").append(r.node())
                        .append(": archiving ").append(a.verdict() == ArchiveHealth.Verdict.FAILING ? "failing"
                                : "behind").append(": ").append(a.situation()).append('\n'));
            }
            b.append("  ").append(paint(v.healthy() ? "✓ " + v.summary() : "✗ " + v.summary(),
                    v.healthy() ? Palette.GOOD : Palette.BAD, colour)).append('\n');
        }
        return b.toString();
    }

    /**
     * Whether the node's yes/no facts are known: pgrds could not reach (or not read) a node UNREACHABLE or UNKNOWN,
     * so whether its server runs is unknown, shown as {@code ?} (and {@code null} in JSON), never as "no".
     */
    private static boolean known(StatusView.Row r) {
        return r.state() != NodeState.UNREACHABLE && r.state() != NodeState.UNKNOWN;
    }

    private static String yesNo(boolean known, boolean value) {
        return !known ? "?" : value ? "yes" : "no";
    }

    private static String lag(StatusView.Row r) {
        if (r.lagBytes().isEmpty() && r.lagMillis().isEmpty()) {
            return "-";
        }
        return r.lagBytes().map(Units::bytes).orElse("?") + " / " + r.lagMillis().map(Units::millis).orElse("?");
    }

    private static Palette stateColour(String state) {
        return switch (state) {
            case "PRIMARY", "STANDBY" -> Palette.GOOD;
            case "EMPTY", "DEACTIVATED" -> Palette.CAUTION;
            default -> Palette.BAD;
        };
    }

    private static String pad(String s, int width, boolean last) {
        return last ? s : s + " ".repeat(width - s.length());
    }

    private static String paint(String s, Palette palette, boolean colour) {
        return palette.paint(s, colour);
    }

    /** The documented JSON form (see docs/status-json.md); what a node does not know is null. */
    public static String json(Optional<String> commit, List<StatusView> views) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("format_version", JSON_FORMAT_VERSION);
        root.put("commit", commit.orElse(null));
        ArrayNode clusters = root.putArray("clusters");
        for (StatusView v : views) {
            ObjectNode c = clusters.addObject();
            c.put("id", v.cluster());
            c.put("healthy", v.healthy());
            c.put("summary", v.summary());
            ArrayNode nodes = c.putArray("nodes");
            v.rows().forEach(r -> node(nodes.addObject(), r));
        }
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void node(ObjectNode n, StatusView.Row r) {
        n.put("name", r.node());
        n.put("host", r.host());
        n.put("state", r.state().name());
        n.put("running", known(r) ? r.running() : null);
        n.put("version", r.version().orElse(null));
        n.put("timeline", r.timeline().orElse(null));
        n.put("lsn", r.lsn().map(Object::toString).orElse(null));
        n.put("lag_bytes", r.lagBytes().orElse(null));
        n.put("lag_ms", r.lagMillis().orElse(null));
        n.put("connections", r.connections().orElse(null));
        n.put("max_connections", r.maxConnections().orElse(null));
        n.put("free_disk_bytes", r.freeDiskBytes().orElse(null));
        n.put("reboot_required", known(r) ? r.rebootRequired() : null);
        n.put("upstream", r.upstream().orElse(null));
        n.put("error", r.error().orElse(null));
        if (r.archive().isPresent()) {
            archive(n.putObject("archive"), r.archive().get());
        } else {
            n.putNull("archive");
        }
    }

    private static void archive(ObjectNode o, ArchiveHealth a) {
        o.put("state", a.verdict().name().toLowerCase(java.util.Locale.ROOT));
        o.put("disk_in_danger", a.diskInDanger());
        ArrayNode dangers = o.putArray("dangers");
        a.dangers().forEach(d -> dangers.add(d.name().toLowerCase(java.util.Locale.ROOT)));
        Optional<WalFacts> w = a.wal();
        o.put("ready_segments", w.map(x -> (long) x.readySegments()).orElse(null));
        o.put("waiting_bytes", w.map(WalFacts::waitingBytes).orElse(null));
        o.put("pg_wal_bytes", w.flatMap(WalFacts::pgWalBytes).orElse(null));
        o.put("pg_wal_free_bytes", w.flatMap(WalFacts::freeBytes).orElse(null));
        o.put("pg_wal_file_system_bytes", w.flatMap(WalFacts::fileSystemBytes).orElse(null));
        o.put("pg_wal_mount_point", w.flatMap(WalFacts::mountPoint).orElse(null));
        Optional<ArchiverStats> s = a.archiver();
        o.put("last_archived_wal", s.flatMap(ArchiverStats::lastArchivedWal).orElse(null));
        o.put("last_archived_time", s.flatMap(ArchiverStats::lastArchivedEpochMillis).map(StatusRenderer::iso)
                .orElse(null));
        o.put("last_failed_wal", s.flatMap(ArchiverStats::lastFailedWal).orElse(null));
        o.put("last_failed_time", s.flatMap(ArchiverStats::lastFailedEpochMillis).map(StatusRenderer::iso)
                .orElse(null));
        o.put("failed_count", s.map(ArchiverStats::failedCount).orElse(null));
        o.put("observed_time", s.map(ArchiverStats::observedEpochMillis).map(StatusRenderer::iso).orElse(null));
        o.put("full_in_seconds", a.fullInMillis().map(ms -> ms / 1000).orElse(null));
        o.put("message", a.problem() ? a.situation() : null);
    }

    private static String iso(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
