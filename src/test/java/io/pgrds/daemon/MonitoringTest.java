package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgrds.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/monitoring}: the alert rules pass {@code promtool check rules} and their unit tests
 * ({@code promtool test rules}), every alert has a test, and every metric the rules and the Grafana dashboard use is
 * one the daemon exports (its registry rendered for a status with every figure in it).
 */
class MonitoringTest {
    private static final Path DIR = Path.of("docs/monitoring");
    private static final Path RULES = DIR.resolve("pgrds.rules.yml");
    private static final Path RULE_TESTS = DIR.resolve("pgrds.rules.test.yml");
    private static final Path DASHBOARD = DIR.resolve("pgrds-dashboard.json");
    /** The daemon's own names, the JVM's and the process's (Prometheus's {@code up} is not the daemon's). */
    private static final Pattern NAME = Pattern.compile("\\b((?:pgrds|jvm|process)_[a-zA-Z0-9_]+)\\b");

    private record Ran(int exit, String output) {
    }

    private static Ran promtool(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("promtool"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(DIR.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish: " + out);
        return new Ran(p.exitValue(), out);
    }

    private static boolean promtoolInstalled() {
        try {
            return promtool("--version").exit() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Every name a scrape of a daemon shows, for a status with every figure, a watch, a run and a backup. */
    static Set<String> exported() {
        Metrics m = new Metrics(() -> new Metrics.View(List.of(StatusJsonTest.rich()), true, Map.of(PolicyTest.ID,
                new WatchState("watching", java.util.Optional.of("pg1"), java.util.Optional.empty(), 0, 1,
                        java.util.Optional.of(new WatchState.Failover("pg0", "pg1", java.time.Instant.EPOCH, 1000)),
                        java.util.Optional.empty())), true));
        m.ran(StatusJsonTest.rich());
        Set<String> names = new TreeSet<>();
        m.text().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> names.add(l.split("[{ ]")[0]));
        return names;
    }

    private static Set<String> namesIn(List<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String e : expressions) {
            Matcher m = NAME.matcher(e);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static List<String> ruleExpressions() throws IOException {
        List<String> out = new ArrayList<>();
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
        for (JsonNode g : rules.path("groups")) {
            for (JsonNode r : g.path("rules")) {
                out.add(r.path("expr").asText());
            }
        }
        return out;
    }

    private static void expressions(JsonNode n, List<String> out) {
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> {
                if (e.getKey().equals("expr") || e.getKey().equals("definition")) {
                    out.add(e.getValue().asText());
                } else if (e.getKey().equals("query") && e.getValue().isObject()) {
                    out.add(e.getValue().path("query").asText());
                } else {
                    expressions(e.getValue(), out);
                }
            });
        } else if (n.isArray()) {
            n.forEach(x -> expressions(x, out));
        }
    }

    @Test
    void theAlertRulesPassPromtoolAndTheirUnitTests() throws Exception {
        Assumptions.assumeTrue(promtoolInstalled(), "promtool is not installed here (Debian package prometheus; "
                + "bin/install-deps installs it), so the rules are not checked");
        Ran check = promtool("check", "rules", RULES.getFileName().toString());
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("SUCCESS"), check.output());
        Ran test = promtool("test", "rules", RULE_TESTS.getFileName().toString());
        assertEquals(0, test.exit(), test.output());
        assertTrue(test.output().contains("SUCCESS"), test.output());
    }

    @Test
    void everyAlertHasAUnitTest() throws IOException {
        Set<String> alerts = new TreeSet<>();
        new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile()).path("groups")
                .forEach(g -> g.path("rules").forEach(r -> alerts.add(r.path("alert").asText())));
        Set<String> tested = new TreeSet<>();
        new ObjectMapper(new YAMLFactory()).readTree(RULE_TESTS.toFile()).path("tests").forEach(t -> t
                .path("alert_rule_test").forEach(a -> {
                    if (!a.path("exp_alerts").isEmpty()) {
                        tested.add(a.path("alertname").asText());
                    }
                }));
        assertTrue(alerts.size() >= 8, alerts.toString());
        assertEquals(alerts, tested, "alerts without a test that expects them to fire");
    }

    @Test
    void theRulesUseOnlyMetricsTheDaemonExports() throws IOException {
        Set<String> used = namesIn(ruleExpressions());
        assertTrue(used.size() >= 10, used.toString());
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(exported());
        assertEquals(Set.of(), unknown, "exported: " + exported());
    }

    @Test
    void theDashboardRepeatsARowPerClusterAndUsesOnlyMetricsTheDaemonExports() throws IOException {
        JsonNode d = Json.mapper().readTree(Files.readString(DASHBOARD));
        JsonNode variable = null;
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.path("name").asText().equals("cluster")) {
                variable = v;
            }
        }
        assertTrue(variable != null && variable.path("query").path("query").asText().contains("cluster"),
                "a cluster variable");
        boolean repeated = false;
        for (JsonNode p : d.path("panels")) {
            repeated |= p.path("type").asText().equals("row") && p.path("repeat").asText().equals("cluster");
        }
        assertTrue(repeated, "one row per cluster");
        List<String> expressions = new ArrayList<>();
        expressions(d, expressions);
        Set<String> used = namesIn(expressions);
        for (String family : List.of("pgrds_cluster_sync_status", "pgrds_node_state", "pgrds_replication_lag_seconds",
                "pgrds_wal_archive_status", "pgrds_backup_last_completed_timestamp_seconds")) {
            assertTrue(used.contains(family), family + " is on the dashboard: " + used);
        }
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(exported());
        assertEquals(Set.of(), unknown, "exported: " + exported());
    }

    @Test
    void theSampleExportsEveryDaemonFamily() {
        Set<String> names = exported();
        for (String n : List.of("pgrds_build_info", "pgrds_reconcile_runs_total",
                "pgrds_reconcile_run_duration_seconds_bucket", "pgrds_failovers_total", "jvm_memory_used_bytes",
                "process_cpu_seconds_total", "pgrds_cluster_backups_skipped_total")) {
            assertTrue(names.contains(n), n + " in " + names);
        }
    }
}
