package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/pgrds-image.tar, the daemon's OCI image (mvn package -Pimage; skipped without it): its manifest and
 * configuration as a container runtime reads them, the files its layers carry, and, as root, its entrypoint run in
 * the unpacked image (chroot as the image's user, in a mount namespace of its own).
 */
class ImageIT {
    private static final Path IMAGE = Path.of(System.getProperty("pgrds.image", "target/pgrds-image.tar"));
    private static final List<String> ENTRYPOINT = List.of("/opt/java/bin/java", "-XX:+UseSerialGC", "-Xmx128m",
            "-cp", "/app/resources:/app/classes:/app/libs/*", "io.pgrds.cli.Main", "daemon");

    @TempDir
    Path tmp;

    record Entry(String name, int mode, byte[] data) {
    }

    /** The entries of a tar stream (ustar, with pax headers as Jib and its layers write them). */
    static List<Entry> tar(InputStream in) throws IOException {
        List<Entry> entries = new ArrayList<>();
        String paxPath = null;
        while (true) {
            byte[] header = in.readNBytes(512);
            if (header.length < 512 || header[0] == 0) {
                return entries;
            }
            String name = field(header, 0, 100);
            String prefix = field(header, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            int mode = Integer.parseInt(field(header, 100, 8).strip(), 8);
            long size = Long.parseLong(field(header, 124, 12).strip(), 8);
            byte[] data = in.readNBytes((int) size);
            in.readNBytes((int) ((512 - size % 512) % 512));
            char type = (char) header[156];
            if (type == 'x') {
                for (String record : new String(data, StandardCharsets.UTF_8).split("\n")) {
                    int eq = record.indexOf(" path=");
                    if (eq > 0) {
                        paxPath = record.substring(eq + 6);
                    }
                }
                continue;
            }
            entries.add(new Entry(paxPath != null ? paxPath : name, mode, data));
            paxPath = null;
        }
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    @Test
    void theImageRunsTheDaemonAsANonRootUserFromItsOwnJavaRuntime() throws Exception {
        assumeTrue(Files.exists(IMAGE), "skipped: " + IMAGE + " is built by mvn package -Pimage only");
        Map<String, Entry> outer = new HashMap<>();
        try (InputStream in = Files.newInputStream(IMAGE)) {
            tar(in).forEach(e -> outer.put(e.name(), e));
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(outer.get("manifest.json").data()).get(0);
        assertEquals("pgrds:" + System.getProperty("pgrds.version", "0.1.0-SNAPSHOT"),
                manifest.get("RepoTags").get(0).asText());
        JsonNode config = json.readTree(outer.get(manifest.get("Config").asText()).data());
        assertEquals("linux", config.get("os").asText());
        JsonNode c = config.get("config");
        assertEquals(ENTRYPOINT, json.convertValue(c.get("Entrypoint"), List.class));
        assertEquals(List.of("--http", "0.0.0.0:8080"), json.convertValue(c.get("Cmd"), List.class));
        assertEquals("65532:65532", c.get("User").asText(), "not root, numerically (runAsNonRoot checks it)");
        assertTrue(c.get("ExposedPorts").has("8080/tcp"), c.toString());
        assertEquals("/var/lib/pgrds", c.get("WorkingDir").asText());
        assertTrue(json.convertValue(c.get("Env"), List.class).contains("PGRDS_CACHE=/var/cache/pgrds/repos"));
        assertEquals(manifest.get("Layers").size(), config.get("rootfs").get("diff_ids").size());

        Map<String, Entry> files = new HashMap<>();
        for (JsonNode layer : manifest.get("Layers")) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(
                    outer.get(layer.asText()).data()))) {
                tar(in).forEach(e -> files.put(e.name().replaceFirst("^\\./", "").replaceFirst("/$", ""), e));
            }
        }
        assertEquals(0755, files.get("opt/java/bin/java").mode() & 0777);
        assertEquals(0755, files.get("lib64/ld-linux-x86-64.so.2").mode() & 0777);
        assertTrue(files.containsKey("lib/x86_64-linux-gnu/libc.so.6") && files.containsKey(
                "opt/java/lib/server/libjvm.so") && files.containsKey("opt/java/lib/security/cacerts"));
        assertTrue(files.containsKey("app/classes/io/pgrds/cli/Main.class"));
        assertTrue(files.keySet().stream().anyMatch(f -> f.matches("app/libs/picocli-[0-9.]+\\.jar")));
        assertTrue(new String(files.get("etc/passwd").data(), StandardCharsets.UTF_8).contains(
                "\npgrds:x:65532:65532:pgrds daemon:/var/lib/pgrds:/sbin/nologin\n"));
        assertEquals(0777, files.get("var/lib/pgrds").mode() & 0777, "the daemon's user writes its state there");

        entrypointRunsInTheUnpackedImage(manifest);
    }

    /**
     * A command line that runs what follows it in the unpacked image as the image's user: in a mount namespace of
     * its own (its mounts are gone when what runs in it ends), with /proc, and the root bind-mounted onto itself as
     * a container's root is a mount point (JGit looks its file system up in /proc/mounts).
     */
    private static List<String> inImage(Path root) {
        return new ArrayList<>(List.of("unshare", "--mount", "--fork", "--kill-child", "sh", "-c",
                "mount --bind \"$0\" \"$0\" && mount -t proc proc \"$0/proc\" "
                        + "&& exec chroot --userspec=65532:65532 \"$0\" \"$@\"", root.toString()));
    }

    /**
     * As root: the layers unpacked, the entrypoint run in them as the image's user, with --help and then as the
     * daemon.
     */
    private void entrypointRunsInTheUnpackedImage(JsonNode manifest) throws Exception {
        if (!"0".equals(Processes.run(tmp, "id", "-u").out().strip())
                || !Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            return;
        }
        Path root = Files.createDirectories(tmp.resolve("rootfs"));
        Path outer = Files.createDirectories(tmp.resolve("image"));
        assertEquals(0, Processes.run(tmp, "tar", "-xf", IMAGE.toAbsolutePath().toString(), "-C", outer.toString())
                .exit());
        for (JsonNode layer : manifest.get("Layers")) {
            Processes.Run x = Processes.run(tmp, "tar", "-xzf", outer.resolve(layer.asText()).toString(), "-C",
                    root.toString());
            assertEquals(0, x.exit(), x.toString());
        }
        Files.createDirectories(root.resolve("proc"));
        List<String> cmd = inImage(root);
        cmd.addAll(ENTRYPOINT);
        cmd.add("--help");
        Processes.Run help = Processes.run(tmp, Map.of(), cmd);
        assertEquals(0, help.exit(), help.toString());
        assertTrue(help.out().startsWith("Usage: pgrds daemon"), help.out());

        // the daemon itself answers the orchestrator's probe of /healthz (before, and whatever, it reads of its fleet
        // repository: none here). It is killed afterwards, not stopped gracefully.
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        List<String> daemon = inImage(root);
        daemon.addAll(ENTRYPOINT);
        daemon.addAll(List.of("--http", "127.0.0.1:" + port));
        Path log = tmp.resolve("daemon.log");
        ProcessBuilder pb = new ProcessBuilder(daemon).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PGRDS_REPO", "/var/lib/pgrds/fleet");
        Process p = pb.start();
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String answer = null;
            for (int i = 0; i < 120 && answer == null && p.isAlive(); i++) {
                try {
                    java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    answer = r.statusCode() + " " + r.body();
                } catch (java.net.ConnectException e) {
                    Thread.sleep(250);
                }
            }
            assertEquals("200 ok\n", answer, "the daemon in the image: " + Files.readString(log));
            // the daemon logs that it started once its HTTP server is up, so a moment after /healthz can answer
            for (int i = 0; i < 100 && !Files.readString(log).contains("pgrds daemon started"); i++) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(log).contains("pgrds daemon started: /var/lib/pgrds/fleet at HEAD"),
                    "the daemon's log: " + Files.readString(log));
        } finally {
            // the daemon itself, by its id: unshare ignores SIGTERM while it waits, and chroot's change of user
            // clears the parent-death signal --kill-child sets, so ending unshare alone would leave it running
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
    }
}
