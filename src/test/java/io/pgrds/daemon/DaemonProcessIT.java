package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.testing.FleetRepo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgrds daemon} as a process: it serves, logs one sentence per run, and stops cleanly on SIGTERM. */
class DaemonProcessIT {
    @TempDir
    Path tmp;

    @Test
    void theDaemonProcessServesLogsItsRunsAndStopsOnSigterm() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        // nothing listens on port 1: the node is unreachable and the planner refuses, without any server
        fleet.commit("orderdata/integration", "ssh: {user: root, port: 1}\nnodes:\n  - {host: 127.0.0.1, name: pg1}\n"
                + "reconcile: {policy: observe}\n");
        Path secret = tmp.resolve("secret");
        Files.writeString(secret, "s3cret\n");
        ProcessBuilder pb = new ProcessBuilder("java", "-jar", System.getProperty("pgrds.jar", "target/pgrds.jar"),
                "--repo", fleet.dir().toString(), "daemon", "--interval", "1s", "--http", "127.0.0.1:0",
                "--webhook-secret-file", secret.toString()).redirectErrorStream(true)
                // a file, not a pipe: a thread reading the pipe can lose the last lines when the process exits
                .redirectOutput(tmp.resolve("daemon.log").toFile());
        pb.environment().put("PGRDS_CACHE", tmp.resolve("cache").toString());
        Process p = pb.start();
        Path log = tmp.resolve("daemon.log");
        try {
            Matcher port = await(log, Pattern.compile("HTTP on /127\\.0\\.0\\.1:(\\d+)"));
            await(log, Pattern.compile("orderdata/integration: refused \\(NODE_UNREACHABLE\\)"));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + port.group(1) + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + port.group(1) + "/status")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(status.body().contains("\"sync\" : \"Refused\""), status.body());
            assertTrue(status.body().contains("\"refusal_code\" : \"NODE_UNREACHABLE\""), status.body());
            // the packaged jar names its build as --version does: version and commit from its build.properties
            java.util.Properties build = new java.util.Properties();
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(System.getProperty("pgrds.jar",
                    "target/pgrds.jar"))) {
                build.load(jar.getInputStream(jar.getEntry("io/pgrds/build.properties")));
            }
            String version = io.pgrds.util.BuildInfo.of(build).version();
            String commit = io.pgrds.util.BuildInfo.of(build).commit();
            assertTrue(commit != null && commit.matches("[0-9a-f]{7,40}|unknown"), "the build's commit: " + commit);
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + port.group(1) + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("pgrds_build_info{") && l.contains(
                    "version=\"" + version + "\"") && l.contains("commit=\"" + commit + "\"") && l.endsWith("} 1")),
                    version + " " + commit + "\n" + metrics.body());

            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the daemon did not stop on SIGTERM:\n" + read(log));
            List<String> lines = Files.readAllLines(log);
            assertTrue(lines.stream().anyMatch(l -> l.contains("pgrds daemon stopping")), String.join("\n", lines));
            assertTrue(lines.get(lines.size() - 1).contains("pgrds daemon stopped"), String.join("\n", lines));
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static Matcher await(Path log, Pattern pattern) throws Exception {
        for (int i = 0; i < 600; i++) {
            Matcher m = pattern.matcher(read(log));
            if (m.find()) {
                return m;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never logged " + pattern + ":\n" + read(log));
    }
}
