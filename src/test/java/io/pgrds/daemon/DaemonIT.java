package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.ClusterId;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import io.pgrds.testing.HarnessCluster;
import io.pgrds.transport.ShellOptions;
import io.pgrds.util.Json;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The daemon in this JVM, on an ephemeral HTTP port with a 2 s interval, against a real fleet repository and real
 * nodes (sshd + PostgreSQL): what it applies by itself, what it holds back, its webhook and its metrics.
 */
class DaemonIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(3);

    private static final String CLUSTER = "orderdata/integration";
    private static final byte[] SECRET = "s3cret-for-the-test".getBytes(StandardCharsets.UTF_8);
    private static final Duration PATIENCE = Duration.ofSeconds(150);

    @TempDir
    Path tmp;

    private FleetRepo fleet;
    private Daemon daemon;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void logRuns() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.pgrds.daemon"))
                .setLevel(ch.qos.logback.classic.Level.INFO);
    }

    @BeforeEach
    void freshNodes() {
        hosts.nodes().forEach(hosts::reset);
        for (TestNode n : hosts.nodes()) {
            hosts.tryRun("rm", "-rf", n.dataDirectory() + ".pgrds");
        }
        fleet = new FleetRepo(tmp.resolve("fleet"));
    }

    @AfterEach
    void stopEverything() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
        hosts.nodes().forEach(hosts::reset);
    }

    // ---- helpers ----

    private String cluster(List<TestNode> nodes, String primary, String policy) {
        StringBuilder y = new StringBuilder(HarnessCluster.yaml(hosts, nodes, "max_connections: 50"));
        y.append("primary: ").append(primary).append('\n');
        y.append("reconcile: {policy: ").append(policy).append("}\n");
        return y.toString();
    }

    private String commit(List<TestNode> nodes, String primary, String policy) {
        return fleet.commit(CLUSTER, cluster(nodes, primary, policy));
    }

    /** The first primary and its standbys, made by a person with pgrds apply (safe never creates a primary). */
    private void applyByHand() {
        Cli.Run r = Cli.run("--repo", fleet.dir().toString(), "apply", "--auto-approve");
        assertEquals(0, r.exit(), r.toString());
    }

    private Daemon start(Duration interval, Optional<byte[]> secret) {
        daemon = new Daemon(new Daemon.Config(fleet.dir().toString(), null, interval,
                new InetSocketAddress("127.0.0.1", 0), secret, Optional.empty(), tmp.resolve("cache"),
                ShellOptions.defaults(), 4, Duration.ofSeconds(30), Duration.ofSeconds(30), 2,
                "pgrds-it-" + System.nanoTime(), "daemon-it")).start();
        return daemon;
    }

    private URI uri(String path) {
        InetSocketAddress a = daemon.httpAddress().orElseThrow();
        return URI.create("http://" + a.getHostString() + ":" + a.getPort() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The cluster's entry in GET /status. */
    private JsonNode status() throws Exception {
        return status(CLUSTER);
    }

    private JsonNode status(String cluster) throws Exception {
        HttpResponse<String> r = get("/status");
        assertEquals(200, r.statusCode(), r.body());
        for (JsonNode c : Json.mapper().readTree(r.body()).path("clusters")) {
            if (c.path("cluster").asText().equals(cluster)) {
                return c;
            }
        }
        return Json.mapper().createObjectNode();
    }

    private void awaitCluster(String what, String cluster, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!until.test(status(cluster))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the daemon never reported " + what + "; status:\n" + get("/status").body());
            }
            Thread.sleep(250);
        }
    }

    private JsonNode awaitStatus(String what, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        JsonNode s = status();
        while (!until.test(s)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the daemon never reported " + what + "; last status:\n" + s.toPrettyString()
                        + "\n" + hosts.diagnostics());
            }
            Thread.sleep(250);
            s = status();
        }
        return s;
    }

    /** SQL on a node pgrds manages, through its own socket, as postgres. */
    private static String sql(TestNode n, String sql) {
        return HarnessCluster.sql(hosts, n, sql);
    }

    private static void awaitStreaming(TestNode primary, TestNode standby) throws InterruptedException {
        String q = "select state from pg_stat_replication where application_name = '" + standby.name() + "'";
        for (int i = 0; i < 300; i++) {
            if (sql(primary, q).equals("streaming")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(standby + " never streamed from " + primary);
    }

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** A scraped sample: name, labels, value. */
    private record Sample(String name, Map<String, String> labels, double value) {
    }

    /** Parses the Prometheus text format as a scraper does (comments skipped, labels unescaped). */
    private static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                int end = 0;
                while (l.find()) {
                    assertEquals(end, l.start(), "garbage in labels: " + line);
                    labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\n", "\n")
                            .replace("\\\\", "\\"));
                    end = l.end();
                }
                assertEquals(m.group(2).length(), end, "garbage in labels: " + line);
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return out;
    }

    /** The value of a node's sample of one family. */
    private static double value(List<Sample> samples, String name, TestNode node) {
        return samples.stream().filter(x -> x.name().equals(name) && x.labels().equals(Map.of("cluster", CLUSTER,
                "node", node.name()))).findFirst().orElseThrow(() -> new AssertionError("no " + name + " for "
                + node.name())).value();
    }

    // ---- scenarios ----

    @Test
    void aClusterAddedToTheRepositoryGetsAJobAndARemovedOneLosesIt() throws Exception {
        TestNode a = hosts.node(0);
        TestNode c = hosts.node(2);
        commit(List.of(a), a.name(), "observe");
        start(Duration.ofSeconds(2), Optional.empty());
        awaitStatus("a first run", x -> x.has("last_run_at") && !x.path("last_run_at").isNull());
        fleet.commit("orderdata/staging", cluster(List.of(c), c.name(), "observe"));
        awaitCluster("a run of the new cluster", "orderdata/staging", x -> x.path("last_result").asText()
                .equals("observed"));
        assertEquals(List.of("init primary " + c.name()), Json.mapper().convertValue(status("orderdata/staging")
                .path("differences"), List.class), "observe plans, never applies");
        assertTrue(daemon.clusterJobs().contains("orderdata/staging"));

        try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(fleet.dir().toFile())) {
            git.rm().addFilepattern("clusters/orderdata/staging.yaml").call();
            git.commit().setMessage("retire staging").setAuthor("it", "it@localhost")
                    .setCommitter("it", "it@localhost").call();
        }
        awaitCluster("the removed cluster gone", "orderdata/staging", x -> !x.has("cluster"));
        assertEquals(List.of(CLUSTER), List.copyOf(daemon.clusterJobs()));
        assertTrue(status(CLUSTER).has("cluster"), "the other cluster keeps its job");
    }

    @Test
    void anInvalidFileIsAnErrorUntilFixedAndTheClusterKeepsItsJob() throws Exception {
        TestNode a = hosts.node(0);
        commit(List.of(a), a.name(), "observe");
        start(Duration.ofSeconds(2), Optional.empty());
        awaitStatus("a first run", x -> x.path("last_result").asText().equals("observed"));
        String broken = fleet.commit(CLUSTER, cluster(List.of(a), a.name(), "observe").replace("reconcile: {policy: "
                + "observe}", "reconcile: {policy: sometimes}"));
        JsonNode s = awaitStatus("an Error", x -> x.path("sync").asText().equals("Error"));
        assertTrue(s.path("message").asText().contains("sometimes"), s.toPrettyString());
        assertTrue(s.path("sentence").asText().startsWith(CLUSTER + ": error, "), s.toPrettyString());
        assertEquals(List.of(CLUSTER), List.copyOf(daemon.clusterJobs()), "an invalid file removes no job");
        assertTrue(!broken.isEmpty());
        String fixed = commit(List.of(a), a.name(), "observe");
        awaitStatus("back to a plan at the fixed commit", x -> x.path("commit").asText().equals(fixed)
                && x.path("last_result").asText().equals("observed"));
    }

    @Test
    void stoppingTheDaemonLetsTheRunningActionFinishAndStartsNoOther() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name(), "full"); // init primary a, then clone standby b
        start(Duration.ofSeconds(2), Optional.empty());
        Path version = a.dataDirectory().resolve("PG_VERSION");
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!java.nio.file.Files.exists(version)) {
            assertTrue(System.nanoTime() < deadline, "the daemon never started " + a.name());
            Thread.sleep(20);
        }
        daemon.close(); // returns once the running action is done
        ClusterStatus s = daemon.status(ClusterId.parse(CLUSTER)).orElseThrow();
        assertEquals("stopped", s.lastResult(), s.toString());
        assertEquals(Sync.OUT_OF_SYNC, s.sync());
        assertEquals(1, s.applied());
        assertEquals("clone standby " + b.name() + " from " + a.name(), s.heldBack().get(0), s.toString());
        assertTrue(s.sentence().contains("stopped by shutdown after 1 of "), s.sentence());
        assertTrue(hosts.isRunning(a), "the primary was made whole: initialised and started");
        assertEquals("f", sql(a, "select pg_is_in_recovery()"));
        assertTrue(!java.nio.file.Files.exists(b.dataDirectory().resolve("PG_VERSION")), "no clone was begun");
        daemon = null;
    }

    @Test
    void aCommitThatAddsAStandbyIsAppliedByTheDaemonWithoutAManualStep() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        TestNode c = hosts.node(2);
        String first = commit(List.of(a, b), a.name(), "safe");
        applyByHand();
        start(Duration.ofSeconds(2), Optional.empty());
        awaitStatus("Synced at the first commit", s -> s.path("sync").asText().equals("Synced")
                && s.path("last_applied_commit").asText().equals(first));

        String second = commit(List.of(a, b, c), a.name(), "safe");
        JsonNode s = awaitStatus("Synced at the commit adding " + c.name(), x -> x.path("sync").asText()
                .equals("Synced") && x.path("last_applied_commit").asText().equals(second));
        assertEquals("safe", s.path("policy").asText());
        assertEquals("STANDBY", s.path("nodes").path(c.name()).asText(), "the nodes as they are after the clone: "
                + s.toPrettyString());
        awaitStreaming(a, c);
        sql(a, "create table t (id int primary key)");
        sql(a, "insert into t values (1)");
        for (int i = 0; i < 100 && !sql(c, "select count(*) from pg_tables where tablename = 't'").equals("1"); i++) {
            Thread.sleep(100);
        }
        assertEquals("1", sql(c, "select count(*) from t"), "the new standby replays the primary's writes");
        // the next run finds nothing left to do and says so in its sentence
        JsonNode again = awaitStatus("a run with no action after the clone", x -> x.path("last_result").asText()
                .equals("synced") && x.path("nodes").path(c.name()).asText().equals("STANDBY"));
        assertTrue(again.path("sentence").asText().startsWith(CLUSTER + ": no action, " + a.name() + " primary, 2 "
                + "standbys streaming, commit " + second.substring(0, 7)), again.toPrettyString());
    }

    @Test
    void aSafeClusterHoldsBackAPendingSwitchoverAndKeepsItsPrimary() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name(), "safe");
        applyByHand();
        start(Duration.ofSeconds(2), Optional.empty());
        String moved = commit(List.of(a, b), b.name(), "safe");
        JsonNode s = awaitStatus("OutOfSync at the commit pinning " + b.name(), x -> x.path("commit").asText()
                .equals(moved) && x.path("sync").asText().equals("OutOfSync"));
        assertEquals("switchover " + a.name() + " → " + b.name(), s.path("held_back").get(0).asText(),
                s.toPrettyString());
        assertTrue(s.path("sentence").asText().contains("held back by policy safe: switchover " + a.name() + " → "
                + b.name()), s.toPrettyString());
        String firstRun = s.path("last_run_at").asText();
        // two more runs: still held back, still the same primary
        awaitStatus("a later run", x -> !x.path("last_run_at").asText().equals(firstRun));
        JsonNode later = status();
        String secondRun = later.path("last_run_at").asText();
        awaitStatus("yet another run", x -> !x.path("last_run_at").asText().equals(secondRun));
        later = status();
        assertEquals("OutOfSync", later.path("sync").asText(), later.toPrettyString());
        assertEquals("f", sql(a, "select pg_is_in_recovery()"), a + " is still the primary");
        assertEquals("t", sql(b, "select pg_is_in_recovery()"), b + " is still a standby");
        assertEquals("PRIMARY", later.path("nodes").path(a.name()).asText());

        // without a secret the webhook is disabled, signed or not
        HttpResponse<String> hook = post("/hooks/git", "{}", Map.of(Webhook.GITHUB_HEADER,
                Webhook.githubSignature(SECRET, "{}".getBytes(StandardCharsets.UTF_8))));
        assertEquals(403, hook.statusCode(), hook.body());
        assertTrue(hook.body().contains("--webhook-secret-file"), hook.body());
    }

    @Test
    void aSignedPushRunsEveryClusterNowAndAnUnsignedOrBadlySignedOneIsRefused() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name(), "safe");
        applyByHand();
        start(Duration.ofHours(1), Optional.of(SECRET)); // only the first run and pushes run the cluster
        JsonNode first = awaitStatus("the first run", x -> x.path("sync").asText().equals("Synced"));
        String firstRun = first.path("last_run_at").asText();

        String body = "{\"ref\":\"refs/heads/main\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertEquals(401, post("/hooks/git", body, Map.of()).statusCode(), "unsigned");
        assertEquals(401, post("/hooks/git", body, Map.of(Webhook.GITHUB_HEADER,
                Webhook.githubSignature("wrong".getBytes(StandardCharsets.UTF_8), bytes))).statusCode(), "wrong key");
        assertEquals(401, post("/hooks/git", body, Map.of(Webhook.GITHUB_HEADER,
                Webhook.githubSignature(SECRET, "{}".getBytes(StandardCharsets.UTF_8)))).statusCode(), "other body");
        assertEquals(401, post("/hooks/git", body, Map.of(Webhook.GITLAB_HEADER, "wrong")).statusCode(), "GitLab");
        assertEquals(405, get("/hooks/git").statusCode());
        Thread.sleep(1500);
        assertEquals(firstRun, status().path("last_run_at").asText(), "a refused push runs nothing");

        HttpResponse<String> ok = post("/hooks/git", body, Map.of(Webhook.GITHUB_HEADER,
                Webhook.githubSignature(SECRET, bytes)));
        assertEquals(202, ok.statusCode(), ok.body());
        JsonNode pushed = awaitStatus("a run after the GitHub push", x -> !x.path("last_run_at").asText()
                .equals(firstRun));
        String secondRun = pushed.path("last_run_at").asText();

        HttpResponse<String> gitlab = post("/hooks/git", body, Map.of(Webhook.GITLAB_HEADER,
                new String(SECRET, StandardCharsets.UTF_8)));
        assertEquals(202, gitlab.statusCode(), gitlab.body());
        awaitStatus("a run after the GitLab push", x -> !x.path("last_run_at").asText().equals(secondRun));
    }

    @Test
    void metricsAreScrapedAndNameTheSyncStatusNodesAndLag() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name(), "observe");
        applyByHand();
        start(Duration.ofSeconds(2), Optional.empty());
        HttpResponse<String> health = get("/healthz");
        assertEquals(200, health.statusCode());
        assertEquals("ok\n", health.body());
        JsonNode first = awaitStatus("Synced", x -> x.path("sync").asText().equals("Synced")
                && x.path("lag_bytes").has(b.name()));
        assertEquals("daemon-it", first.path("last_run_by").asText(), "the instance that ran it: " + first);

        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        List<Sample> samples = parse(r.body());
        Sample synced = samples.stream().filter(x -> x.name().equals("pgrds_cluster_sync_status")
                && x.labels().equals(Map.of("cluster", CLUSTER, "status", "Synced"))).findFirst()
                .orElseThrow(() -> new AssertionError(r.body()));
        assertEquals(1.0, synced.value());
        assertEquals(0.0, samples.stream().filter(x -> x.name().equals("pgrds_cluster_sync_status")
                && x.labels().get("status").equals("OutOfSync")).findFirst().orElseThrow().value());
        // one series per state and node: 1 for the state it is in, 0 for the others
        assertTrue(samples.contains(new Sample("pgrds_node_state", Map.of("cluster", CLUSTER, "node", a.name(),
                "state", "PRIMARY"), 1.0)), r.body());
        assertTrue(samples.contains(new Sample("pgrds_node_state", Map.of("cluster", CLUSTER, "node", a.name(),
                "state", "STANDBY"), 0.0)), r.body());
        assertTrue(samples.contains(new Sample("pgrds_node_state", Map.of("cluster", CLUSTER, "node", b.name(),
                "state", "STANDBY"), 1.0)), r.body());
        assertEquals(16, samples.stream().filter(x -> x.name().equals("pgrds_node_state")).count(), r.body());
        assertEquals(2.0, samples.stream().filter(x -> x.name().equals("pgrds_node_state")).mapToDouble(Sample::value)
                .sum(), r.body());
        assertTrue(samples.stream().anyMatch(x -> x.name().equals("pgrds_replication_lag_bytes")
                && x.labels().equals(Map.of("cluster", CLUSTER, "node", b.name())) && x.value() >= 0), r.body());
        assertTrue(samples.stream().anyMatch(x -> x.name().equals("pgrds_replication_lag_seconds")
                && x.labels().equals(Map.of("cluster", CLUSTER, "node", b.name())) && x.value() >= 0
                && x.value() < 60), r.body());
        assertTrue(samples.stream().anyMatch(x -> x.name().equals("pgrds_cluster_last_run_timestamp_seconds")
                && x.value() > 1.6e9), r.body());
        assertEquals(1.0, samples.stream().filter(x -> x.name().equals("pgrds_up")).findFirst().orElseThrow()
                .value());
        // pg_wal's file system as the probe's df saw it, against what this machine says of the same directory
        java.nio.file.FileStore fs = java.nio.file.Files.getFileStore(a.dataDirectory().resolve("pg_wal"));
        assertEquals(fs.getTotalSpace(), value(samples, "pgrds_wal_filesystem_size_bytes", a), 1024, r.body());
        assertEquals(fs.getUsableSpace(), value(samples, "pgrds_wal_filesystem_free_bytes", a), 1 << 30, r.body());
        long ready;
        try (var files = java.nio.file.Files.list(a.dataDirectory().resolve("pg_wal/archive_status"))) {
            ready = files.filter(f -> f.toString().endsWith(".ready")).count();
        }
        assertEquals(ready, value(samples, "pgrds_wal_ready_segments", a), r.body());
        // this instance's runs: a counter by result and a histogram of their durations, counted together
        double runs = samples.stream().filter(x -> x.name().equals("pgrds_reconcile_runs_total")
                && x.labels().get("cluster").equals(CLUSTER)).mapToDouble(Sample::value).sum();
        assertTrue(samples.stream().anyMatch(x -> x.name().equals("pgrds_reconcile_runs_total")
                && x.labels().equals(Map.of("cluster", CLUSTER, "result", "synced")) && x.value() >= 1), r.body());
        double timed = samples.stream().filter(x -> x.name().equals("pgrds_reconcile_run_duration_seconds_count")
                && x.labels().equals(Map.of("cluster", CLUSTER))).findFirst().orElseThrow().value();
        assertTrue(timed == runs || timed == runs - 1, runs + " runs, " + timed + " timed\n" + r.body());
        assertEquals(timed, samples.stream().filter(x -> x.name().equals("pgrds_reconcile_run_duration_seconds_bucket")
                && x.labels().equals(Map.of("cluster", CLUSTER, "le", "+Inf"))).findFirst().orElseThrow().value());
        // the build and the JVM
        // from classes, the build's io/pgrds/build.properties (target/classes) names it, as for --version
        io.pgrds.util.BuildInfo build = io.pgrds.util.BuildInfo.current();
        assertTrue(samples.contains(new Sample("pgrds_build_info", Map.of("version", build.version(), "commit",
                build.commit()), 1.0)), build + "\n" + r.body());
        assertTrue(samples.stream().anyMatch(x -> x.name().equals("jvm_memory_used_bytes") && x.value() > 0), r.body());
        assertTrue(samples.stream().anyMatch(x -> x.name().equals("process_cpu_seconds_total") && x.value() > 0),
                r.body());

        // a scraper asking for OpenMetrics gets it
        HttpResponse<String> om = http.send(HttpRequest.newBuilder(uri("/metrics")).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                om.headers().toString());
        assertTrue(om.body().endsWith("# EOF\n"), om.body());
        assertTrue(om.body().contains("# TYPE pgrds_reconcile_runs counter\n"), om.body());

        // observe reports drift and changes nothing: a standby wiped by hand stays empty
        hosts.reset(b);
        JsonNode drift = awaitStatus("OutOfSync after wiping " + b.name(), x -> x.path("sync").asText()
                .equals("OutOfSync"));
        assertEquals("observed", drift.path("last_result").asText(), drift.toPrettyString());
        assertEquals(0, drift.path("applied").asInt());
        assertEquals("EMPTY", drift.path("nodes").path(b.name()).asText(), drift.toPrettyString());
        List<Sample> after = parse(get("/metrics").body());
        assertTrue(after.contains(new Sample("pgrds_cluster_sync_status", Map.of("cluster", CLUSTER, "status",
                "OutOfSync"), 1.0)));

        daemon.close();
        assertTrue(daemon.statuses().stream().anyMatch(x -> x.cluster().equals(ClusterId.parse(CLUSTER))));
        daemon = null;
    }
}
