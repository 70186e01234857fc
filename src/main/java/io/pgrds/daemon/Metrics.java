package io.pgrds.daemon;

import io.pgrds.desired.ClusterId;
import io.pgrds.observe.NodeState;
import io.pgrds.util.BuildInfo;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} through the Prometheus Java client: one registry per daemon holding the JVM and process
 * metrics, {@code pgrds_build_info}, the runs this instance made ({@code pgrds_reconcile_runs_total}, a run-duration
 * histogram) and, rendered from the clusters' status at each scrape ({@link StatusCollector}), every cluster's
 * figures. The format follows the {@code Accept} header: OpenMetrics for a scraper that asks for it, the Prometheus
 * text format otherwise. A node is labelled {@code node} in every metric.
 */
public final class Metrics {
    /** What the status families are rendered from at each scrape. */
    public record View(Collection<ClusterStatus> clusters, boolean running, Map<ClusterId, WatchState> watches,
                       boolean storeUp) {
    }

    /** A scrape: its content type and body. */
    public record Scrape(String contentType, byte[] body) {
    }

    private static final double[] RUN_SECONDS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Counter runs;
    private final Histogram durations;

    /** The daemon's registry: JVM, build, runs, and the status read from {@code view} at each scrape. */
    Metrics(Supplier<View> view) {
        JvmMetrics.builder().register(registry);
        Info build = Info.builder().name("pgrds_build_info").help("The pgrds build this daemon runs: version and "
                + "commit from the jar's manifest (dev and unknown when run from classes).")
                .labelNames("version", "commit").register(registry);
        Build b = Build.current();
        build.addLabelValues(b.version(), b.commit());
        runs = Counter.builder().name("pgrds_reconcile_runs_total").help("Runs of a cluster this daemon instance made, "
                + "by result (synced, applied, partial, held, observed, stopped, refused, error).")
                .labelNames("cluster", "result").register(registry);
        durations = Histogram.builder().name("pgrds_reconcile_run_duration_seconds").help("How long the runs of a "
                + "cluster this daemon instance made took (read, observe, plan, apply).").labelNames("cluster")
                .classicOnly().classicUpperBounds(RUN_SECONDS).register(registry);
        registry.register(new StatusCollector(view));
    }

    /** Counts a finished run. */
    void ran(ClusterStatus s) {
        runs.labelValues(s.cluster().toString(), s.lastResult()).inc();
        durations.labelValues(s.cluster().toString()).observe(s.lastRunMillis() / 1000.0);
    }

    /** The whole registry in the format the {@code Accept} header asks for. */
    Scrape scrape(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) { // protobuf is not on the classpath: text then
            writer = formats.getPrometheusTextFormatWriter();
        }
        return new Scrape(writer.getContentType(), write(writer, registry.scrape()));
    }

    /** The status families alone in the Prometheus text format: what the tests compare exactly. */
    public static String render(View view) {
        return new String(write(ExpositionFormats.init().getPrometheusTextFormatWriter(),
                new StatusCollector(() -> view).collect()), java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String render(Collection<ClusterStatus> clusters, boolean running) {
        return render(new View(clusters, running, Map.of(), true));
    }

    /** The daemon's whole registry as text, for the test that checks the dashboard's and rules' names. */
    String text() {
        return new String(write(formats.getPrometheusTextFormatWriter(), registry.scrape()),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] write(ExpositionFormatWriter writer, MetricSnapshots snapshots) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, snapshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The version and commit of the running jar, as {@code pgrds --version} names them ({@link BuildInfo}). */
    record Build(String version, String commit) {
        static Build current() {
            BuildInfo b = BuildInfo.current();
            return new Build(b.version(), b.commit());
        }
    }

    /**
     * The families rendered from the clusters' status at each scrape. Every sync status, node state and archive
     * state is exported for every cluster and node (1 for the current one, 0 for the others), so an alert can test
     * {@code == 0} as well as {@code == 1}. Timestamps are Unix seconds.
     */
    static final class StatusCollector implements MultiCollector {
        private final Supplier<View> view;

        StatusCollector(Supplier<View> view) {
            this.view = view;
        }

        @Override
        public MetricSnapshots collect() {
            View v = view.get();
            List<ClusterStatus> sorted = v.clusters().stream().sorted(Comparator.comparing(ClusterStatus::cluster))
                    .toList();
            List<MetricSnapshot> out = new ArrayList<>();
            Family up = new Family("pgrds_up", "1 while the daemon's scheduler runs.");
            up.add(v.running() ? 1 : 0);
            out.add(up.gauge());
            Family store = new Family("pgrds_status_store_up", "1 while the clusters' status can be read and written "
                    + "(with a shared job store: its database; 0 serves the last status read).");
            store.add(v.storeUp() ? 1 : 0);
            out.add(store.gauge());
            clusters(sorted, out);
            nodes(sorted, out);
            backups(sorted, out);
            if (!v.watches().isEmpty()) {
                watches(v.watches(), out);
            }
            return new MetricSnapshots(out);
        }

        private static void clusters(List<ClusterStatus> sorted, List<MetricSnapshot> out) {
            Family sync = new Family("pgrds_cluster_sync_status", "1 for the cluster's current sync status, 0 for the "
                    + "others.");
            Family lastRun = new Family("pgrds_cluster_last_run_timestamp_seconds", "When the last run started (Unix "
                    + "time).");
            Family duration = new Family("pgrds_cluster_last_run_duration_seconds", "How long the last run took.");
            Family result = new Family("pgrds_cluster_last_run_result", "1 with the result of the last run as a "
                    + "label.");
            Family applied = new Family("pgrds_cluster_last_applied_timestamp_seconds", "When the servers last "
                    + "matched a commit after a run (Unix time).");
            Family warnings = new Family("pgrds_cluster_plan_warnings", "Warnings in the last run's plan (e.g. failing "
                    + "WAL archiving); the texts are in /status.");
            Family danger = new Family("pgrds_cluster_danger", "1 while the cluster is in DANGER: two nodes accept "
                    + "writes and the last run did not stop the stale one (policy observe, or refused); the texts are "
                    + "in /status. Page on it.");
            Family planned = new Family("pgrds_cluster_planned_actions", "Actions in the last run's plan.");
            Family appliedActions = new Family("pgrds_cluster_applied_actions", "Actions the last run applied.");
            for (ClusterStatus c : sorted) {
                String id = c.cluster().toString();
                for (Sync s : Sync.values()) {
                    sync.add(c.sync() == s ? 1 : 0, "cluster", id, "status", s.label());
                }
                c.lastRunAt().ifPresent(t -> {
                    lastRun.add(seconds(t), "cluster", id);
                    duration.add(c.lastRunMillis() / 1000.0, "cluster", id);
                    result.add(1, "cluster", id, "result", c.lastResult());
                });
                c.lastAppliedAt().ifPresent(t -> applied.add(seconds(t), "cluster", id));
                warnings.add(c.warnings().size(), "cluster", id);
                danger.add(c.dangers().isEmpty() ? 0 : 1, "cluster", id);
                planned.add(c.planned(), "cluster", id);
                appliedActions.add(c.applied(), "cluster", id);
            }
            out.addAll(List.of(sync.gauge(), lastRun.gauge(), duration.gauge(), result.gauge(), applied.gauge(),
                    warnings.gauge(), danger.gauge(), planned.gauge(), appliedActions.gauge()));
        }

        private static void nodes(List<ClusterStatus> sorted, List<MetricSnapshot> out) {
            Family state = new Family("pgrds_node_state", "1 for the node's observed state, 0 for the others.");
            Family lagBytes = new Family("pgrds_replication_lag_bytes", "Bytes a standby has yet to replay, as its "
                    + "primary reports.");
            Family lagSeconds = new Family("pgrds_replication_lag_seconds", "How far a standby's replay is behind in "
                    + "time, as its primary reports (replay_lag; 0 once caught up and idle).");
            Family ready = new Family("pgrds_wal_ready_segments", "WAL segments waiting for the archiver (.ready "
                    + "files in pg_wal/archive_status).");
            Family waiting = new Family("pgrds_wal_waiting_bytes", "The size of the WAL waiting for the archiver.");
            Family free = new Family("pgrds_wal_filesystem_free_bytes", "Free bytes on the file system holding "
                    + "pg_wal.");
            Family size = new Family("pgrds_wal_filesystem_size_bytes", "The size of the file system holding pg_wal.");
            Family archive = new Family("pgrds_wal_archive_status", "For a node that archives WAL: 1 for its "
                    + "archiving state (ok, behind, failing), 0 for the others.");
            Family disk = new Family("pgrds_wal_disk_in_danger", "For a node that archives WAL: 1 while archiving is "
                    + "behind or failing and the disk holding pg_wal may fill.");
            Family archived = new Family("pgrds_wal_last_archived_timestamp_seconds", "When the archiver last "
                    + "succeeded (the server's clock, Unix time).");
            for (ClusterStatus c : sorted) {
                String id = c.cluster().toString();
                for (Map.Entry<String, String> n : c.nodes().entrySet()) {
                    for (NodeState s : NodeState.values()) {
                        state.add(s.name().equals(n.getValue()) ? 1 : 0, "cluster", id, "node", n.getKey(), "state",
                                s.name());
                    }
                }
                c.lagBytes().forEach((n, b) -> lagBytes.add(b, "cluster", id, "node", n));
                c.figures().lagMillis().forEach((n, ms) -> lagSeconds.add(ms / 1000.0, "cluster", id, "node", n));
                c.figures().wal().forEach((n, w) -> {
                    ready.add(w.readySegments(), "cluster", id, "node", n);
                    waiting.add(w.waitingBytes(), "cluster", id, "node", n);
                    w.freeBytes().ifPresent(b -> free.add(b, "cluster", id, "node", n));
                    w.fileSystemBytes().ifPresent(b -> size.add(b, "cluster", id, "node", n));
                    w.archive().ifPresent(a -> {
                        for (String s : List.of("ok", "behind", "failing")) {
                            archive.add(a.equals(s) ? 1 : 0, "cluster", id, "node", n, "state", s);
                        }
                        disk.add(w.diskInDanger() ? 1 : 0, "cluster", id, "node", n);
                    });
                    w.lastArchivedAt().ifPresent(t -> archived.add(seconds(t), "cluster", id, "node", n));
                });
            }
            out.addAll(List.of(state.gauge(), lagBytes.gauge(), lagSeconds.gauge(), ready.gauge(), waiting.gauge(),
                    free.gauge(), size.gauge(), archive.gauge(), disk.gauge(), archived.gauge()));
        }

        private static void backups(List<ClusterStatus> sorted, List<MetricSnapshot> out) {
            Family repoUp = new Family("pgrds_backup_repository_up", "1 when the last reading of the backup "
                    + "repository's catalog (pgbackrest info) succeeded, 0 when it failed (the figures are from the "
                    + "last reading that did).");
            Family readAt = new Family("pgrds_backup_repository_read_timestamp_seconds", "When the backup "
                    + "repository's catalog was last read (Unix time).");
            Family count = new Family("pgrds_backups", "Backups the repository holds.");
            Family completed = new Family("pgrds_backup_last_completed_timestamp_seconds", "When the newest backup of "
                    + "the type completed, as the repository lists it (Unix time).");
            Family window = new Family("pgrds_backup_restorable_since_timestamp_seconds", "The start of the "
                    + "restorable window: the oldest backup's start (Unix time).");
            for (ClusterStatus c : sorted) {
                String id = c.cluster().toString();
                c.figures().repository().ifPresent(r -> {
                    repoUp.add(r.error().isEmpty() ? 1 : 0, "cluster", id);
                    r.readAt().ifPresent(t -> {
                        readAt.add(seconds(t), "cluster", id);
                        count.add(r.backups(), "cluster", id);
                    });
                    r.lastCompleted().forEach((type, t) -> completed.add(seconds(t), "cluster", id, "type", type));
                    r.windowStart().ifPresent(t -> window.add(seconds(t), "cluster", id));
                });
            }
            out.addAll(List.of(repoUp.gauge(), readAt.gauge(), count.gauge(), completed.gauge(), window.gauge()));
            // the daemon's scheduled backups: only with backup.schedule, as before
            if (sorted.stream().anyMatch(c -> c.lastBackup().isPresent())) {
                Family at = new Family("pgrds_cluster_last_backup_timestamp_seconds", "When the last scheduled backup "
                        + "of the type started (Unix time).");
                Family took = new Family("pgrds_cluster_last_backup_duration_seconds", "How long the last scheduled "
                        + "backup of the type took.");
                Family result = new Family("pgrds_cluster_last_backup_result", "1 with the result of the last "
                        + "scheduled backup of the type (ok, error) as a label.");
                for (ClusterStatus c : sorted) {
                    String id = c.cluster().toString();
                    c.backups().values().forEach(r -> r.last().ifPresent(b -> {
                        at.add(seconds(b.at()), "cluster", id, "type", b.type().key());
                        took.add(b.millis() / 1000.0, "cluster", id, "type", b.type().key());
                        result.add(1, "cluster", id, "type", b.type().key(), "result", b.result());
                    }));
                }
                out.addAll(List.of(at.gauge(), took.gauge(), result.gauge()));
            }
            if (sorted.stream().anyMatch(c -> !c.backups().isEmpty())) {
                Family skipped = new Family("pgrds_cluster_backups_skipped", "Scheduled backups not taken, by cause: a "
                        + "bigger type due within the same minute (bigger_type), a backup still running "
                        + "(already_running).");
                for (ClusterStatus c : sorted) {
                    c.backups().forEach((type, runs) -> runs.skipped().forEach((cause, n) -> skipped.add(n,
                            "cluster", c.cluster().toString(), "type", type.key(), "cause", cause.label())));
                }
                out.add(skipped.counter());
            }
        }

        /** The watches of clusters with automatic failover: whether watched here, failovers made, writes down for. */
        private static void watches(Map<ClusterId, WatchState> watches, List<MetricSnapshot> out) {
            Family watched = new Family("pgrds_cluster_watched", "1 while this daemon watches the cluster's primary "
                    + "for automatic failover; 0 while it cannot (see /status: no job store, no primary found) or "
                    + "another daemon does (state=\"elsewhere\").");
            Family failovers = new Family("pgrds_failovers", "Automatic failovers this daemon made since it started.");
            Family writable = new Family("pgrds_failover_writable_after_seconds", "The last automatic failover: from "
                    + "the first failed health check to the new primary (node) accepting writes.");
            Family failing = new Family("pgrds_primary_failing_seconds", "How long the watched primary has failed "
                    + "every health check (0 while it answers).");
            watches.forEach((id, w) -> {
                watched.add(w.state().equals("unwatched") || w.state().equals("elsewhere") ? 0 : 1, "cluster",
                        id.toString(), "state", w.state());
                failovers.add(w.failovers(), "cluster", id.toString());
                w.lastFailover().ifPresent(f -> writable.add(f.writableAfterMillis() / 1000.0, "cluster",
                        id.toString(), "node", f.to()));
                failing.add(w.failingMillis() / 1000.0, "cluster", id.toString());
            });
            out.addAll(List.of(watched.gauge(), failovers.counter(), writable.gauge(), failing.gauge()));
        }

        private static double seconds(Instant t) {
            return t.toEpochMilli() / 1000.0;
        }
    }

    /** One family's data points, labels as name/value pairs, in the order added. */
    private static final class Family {
        private final String name;
        private final String help;
        private final List<Labels> labels = new ArrayList<>();
        private final List<Double> values = new ArrayList<>();

        Family(String name, String help) {
            this.name = name;
            this.help = help;
        }

        void add(double value, String... pairs) {
            labels.add(Labels.of(pairs));
            values.add(value);
        }

        GaugeSnapshot gauge() {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
            for (int i = 0; i < values.size(); i++) {
                b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels.get(i)).value(values.get(i))
                        .build());
            }
            return b.build();
        }

        CounterSnapshot counter() {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
            for (int i = 0; i < values.size(); i++) {
                b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels.get(i))
                        .value(values.get(i)).build());
            }
            return b.build();
        }
    }
}
