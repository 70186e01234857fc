package io.pgrds.daemon;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus text exposition format (version 0.0.4) of the clusters' status. Pure; sorted by cluster, node
 * and label so the output is stable. Every sync status is exported for every cluster (1 for the current one,
 * 0 for the others) so an alert can test {@code == 0} as well as {@code == 1}.
 */
public final class Metrics {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private Metrics() {
    }

    public static String render(Collection<ClusterStatus> clusters, boolean schedulerRunning) {
        return render(clusters, schedulerRunning, java.util.Map.of());
    }

    /** With the watches of the clusters that have automatic failover. */
    public static String render(Collection<ClusterStatus> clusters, boolean schedulerRunning,
                                java.util.Map<io.pgrds.desired.ClusterId, WatchState> watches) {
        List<ClusterStatus> sorted = clusters.stream().sorted(Comparator.comparing(ClusterStatus::cluster)).toList();
        StringBuilder out = new StringBuilder();
        header(out, "pgrds_up", "gauge", "1 while the daemon's scheduler runs.");
        out.append("pgrds_up ").append(schedulerRunning ? 1 : 0).append('\n');
        header(out, "pgrds_cluster_sync_status", "gauge", "1 for the cluster's current sync status, 0 for the others.");
        for (ClusterStatus c : sorted) {
            for (Sync s : Sync.values()) {
                sample(out, "pgrds_cluster_sync_status", c, "status", s.label(), c.sync() == s ? 1 : 0);
            }
        }
        header(out, "pgrds_cluster_last_run_timestamp_seconds", "gauge", "When the last run started (Unix time).");
        for (ClusterStatus c : sorted) {
            c.lastRunAt().ifPresent(t -> sample(out, "pgrds_cluster_last_run_timestamp_seconds", c, null, null,
                    t.toEpochMilli() / 1000.0));
        }
        header(out, "pgrds_cluster_last_run_duration_seconds", "gauge", "How long the last run took.");
        for (ClusterStatus c : sorted) {
            c.lastRunAt().ifPresent(t -> sample(out, "pgrds_cluster_last_run_duration_seconds", c, null, null,
                    c.lastRunMillis() / 1000.0));
        }
        header(out, "pgrds_cluster_last_run_result", "gauge", "1 with the result of the last run as a label.");
        for (ClusterStatus c : sorted) {
            c.lastRunAt().ifPresent(t -> sample(out, "pgrds_cluster_last_run_result", c, "result", c.lastResult(), 1));
        }
        header(out, "pgrds_cluster_last_applied_timestamp_seconds", "gauge",
                "When the servers last matched a commit after a run (Unix time).");
        for (ClusterStatus c : sorted) {
            c.lastAppliedAt().ifPresent(t -> sample(out, "pgrds_cluster_last_applied_timestamp_seconds", c, null,
                    null, t.toEpochMilli() / 1000.0));
        }
        header(out, "pgrds_cluster_plan_warnings", "gauge", "Warnings in the last run's plan (e.g. failing WAL "
                + "archiving); the texts are in /status.");
        for (ClusterStatus c : sorted) {
            sample(out, "pgrds_cluster_plan_warnings", c, null, null, c.warnings().size());
        }
        header(out, "pgrds_cluster_danger", "gauge", "1 while the cluster is in DANGER: two nodes accept writes "
                + "and the last run did not stop the stale one (policy observe, or refused); the texts are in /status. "
                + "Page on it.");
        for (ClusterStatus c : sorted) {
            sample(out, "pgrds_cluster_danger", c, null, null, c.dangers().isEmpty() ? 0 : 1);
        }
        header(out, "pgrds_cluster_planned_actions", "gauge", "Actions in the last run's plan.");
        for (ClusterStatus c : sorted) {
            sample(out, "pgrds_cluster_planned_actions", c, null, null, c.planned());
        }
        header(out, "pgrds_cluster_applied_actions", "gauge", "Actions the last run applied.");
        for (ClusterStatus c : sorted) {
            sample(out, "pgrds_cluster_applied_actions", c, null, null, c.applied());
        }
        // only with scheduled backups: a fleet without backup.schedule has no such families
        if (sorted.stream().anyMatch(c -> c.lastBackup().isPresent())) {
            header(out, "pgrds_cluster_last_backup_timestamp_seconds", "gauge",
                    "When the last scheduled backup of the type started (Unix time).");
            eachLastBackup(sorted, (c, b) -> sample(out, "pgrds_cluster_last_backup_timestamp_seconds", c,
                    b.at().toEpochMilli() / 1000.0, "type", b.type().key()));
            header(out, "pgrds_cluster_last_backup_duration_seconds", "gauge",
                    "How long the last scheduled backup of the type took.");
            eachLastBackup(sorted, (c, b) -> sample(out, "pgrds_cluster_last_backup_duration_seconds", c,
                    b.millis() / 1000.0, "type", b.type().key()));
            header(out, "pgrds_cluster_last_backup_result", "gauge",
                    "1 with the result of the last scheduled backup of the type (ok, error) as a label.");
            eachLastBackup(sorted, (c, b) -> sample(out, "pgrds_cluster_last_backup_result", c, 1, "type",
                    b.type().key(), "result", b.result()));
        }
        if (sorted.stream().anyMatch(c -> !c.backups().isEmpty())) {
            header(out, "pgrds_cluster_backups_skipped_total", "counter", "Scheduled backups not taken, by cause: "
                    + "a bigger type due within the same minute (bigger_type), a backup still running (already_running).");
            for (ClusterStatus c : sorted) {
                c.backups().forEach((type, runs) -> runs.skipped().forEach((cause, n) -> sample(out,
                        "pgrds_cluster_backups_skipped_total", c, n, "type", type.key(), "cause", cause.label())));
            }
        }
        header(out, "pgrds_node_state", "gauge", "1 with the node's observed state as a label.");
        for (ClusterStatus c : sorted) {
            for (Map.Entry<String, String> n : c.nodes().entrySet()) {
                out.append("pgrds_node_state{cluster=\"").append(escape(c.cluster().toString())).append("\",node=\"")
                        .append(escape(n.getKey())).append("\",state=\"").append(escape(n.getValue()))
                        .append("\"} 1\n");
            }
        }
        header(out, "pgrds_replication_lag_bytes", "gauge", "Bytes a standby has yet to replay, as its primary reports.");
        for (ClusterStatus c : sorted) {
            for (Map.Entry<String, Long> n : c.lagBytes().entrySet()) {
                out.append("pgrds_replication_lag_bytes{cluster=\"").append(escape(c.cluster().toString()))
                        .append("\",standby=\"").append(escape(n.getKey())).append("\"} ").append(n.getValue())
                        .append('\n');
            }
        }
        if (!watches.isEmpty()) {
            watches(out, watches);
        }
        return out.toString();
    }

    /** The watches of clusters with automatic failover: whether watched here, failovers made, writes down for. */
    private static void watches(StringBuilder out, Map<io.pgrds.desired.ClusterId, WatchState> watches) {
        header(out, "pgrds_cluster_watched", "gauge", "1 while this daemon watches the cluster's primary for automatic "
                + "failover; 0 while it cannot (see /status: no job store, no primary found) or another daemon does "
                + "(state=\"elsewhere\").");
        watches.forEach((id, w) -> out.append("pgrds_cluster_watched{cluster=\"").append(escape(id.toString()))
                .append("\",state=\"").append(escape(w.state())).append("\"} ")
                .append(w.state().equals("unwatched") || w.state().equals("elsewhere") ? 0 : 1).append('\n'));
        header(out, "pgrds_failovers_total", "counter", "Automatic failovers this daemon made since it started.");
        watches.forEach((id, w) -> out.append("pgrds_failovers_total{cluster=\"").append(escape(id.toString()))
                .append("\"} ").append(w.failovers()).append('\n'));
        header(out, "pgrds_failover_writable_after_seconds", "gauge", "The last automatic failover: from the first "
                + "failed health check to the new primary accepting writes.");
        watches.forEach((id, w) -> w.lastFailover().ifPresent(f -> out.append("pgrds_failover_writable_after_seconds"
                + "{cluster=\"").append(escape(id.toString())).append("\",to=\"").append(escape(f.to())).append("\"} ")
                .append(number(f.writableAfterMillis() / 1000.0)).append('\n')));
        header(out, "pgrds_primary_failing_seconds", "gauge", "How long the watched primary has failed every health "
                + "check (0 while it answers).");
        watches.forEach((id, w) -> out.append("pgrds_primary_failing_seconds{cluster=\"").append(escape(id.toString()))
                .append("\"} ").append(number(w.failingMillis() / 1000.0)).append('\n'));
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void eachLastBackup(List<ClusterStatus> sorted,
                                       java.util.function.BiConsumer<ClusterStatus, LastBackup> each) {
        for (ClusterStatus c : sorted) {
            c.backups().values().forEach(r -> r.last().ifPresent(b -> each.accept(c, b)));
        }
    }

    /** A sample with the cluster and then the given label pairs (name, value, name, value, …). */
    private static void sample(StringBuilder out, String name, ClusterStatus c, double number, String... labels) {
        out.append(name).append("{cluster=\"").append(escape(c.cluster().toString())).append('"');
        for (int i = 0; i < labels.length; i += 2) {
            out.append(',').append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
        }
        out.append("} ").append(number(number)).append('\n');
    }

    private static void sample(StringBuilder out, String name, ClusterStatus c, String label, String value,
                               double number) {
        sample(out, name, c, number, label == null ? new String[0] : new String[] {label, value});
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
