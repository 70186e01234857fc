package io.pgrds.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.util.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe script run by the machine's own {@code sh} on files with every character its JSON strings must escape
 * (backslash, quote, tab, carriage return, lines, bytes beyond ASCII), as the node's files could hold them: what
 * pgrds reads back is exactly what the files hold.
 */
class ProbeScriptTest {
    @TempDir
    Path tmp;

    private ShellFacts probe(Path data, Path state) throws Exception {
        Process p = new ProcessBuilder("sh", "-s", "--", data.toString(), tmp.resolve("no-bin").toString(),
                state.toString(), "127.0.0.1", "5432", tmp.resolve("no-socket").toString(), "").start();
        try (InputStream script = NodeObserver.class.getResourceAsStream("/io/pgrds/observe/probe.sh")) {
            p.getOutputStream().write(script.readAllBytes());
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return Json.mapper().readValue(out, ShellFacts.class);
    }

    @Test
    void everyStringComesBackExactlyAsTheFileHoldsIt() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path state = Files.createDirectories(tmp.resolve("state/secrets"));
        String auto = "a = 'x\\y \"q\"\tz'\r\nunicode = 'ü€'\nlast line without newline \\\\ \"";
        Files.writeString(data.resolve("postgresql.auto.conf"), auto);
        String conf = "k".repeat(12_000) + "\"\\\t" + "e".repeat(5_000) + "\n";
        Files.writeString(data.resolve("pgrds.conf"), conf);
        Files.writeString(data.resolve("pgrds-standby.conf"), "standby\tconf\n\n\nx");
        Files.writeString(data.resolve("pg_hba.conf"), "host all all 0/0 scram-sha-256\n");
        Files.writeString(data.resolve("PG_VERSION"), "15\n");
        Files.writeString(tmp.resolve("state/marker.json"), "{\"cluster\":\"a/b\",\"n\":\"n\\\"1\"}\n");
        Files.writeString(state.resolve("pgrds.password"), "pa\"ss\\word\n");
        Files.writeString(tmp.resolve("state/backup.configured"), "repo1\nrepo2\n");

        ShellFacts f = probe(data, tmp.resolve("state"));

        // lines joined by \n, no newline after the last
        assertEquals(Optional.of(auto), f.autoConf());
        assertEquals(Optional.of(conf.stripTrailing()), f.pgrdsConf());
        assertEquals(Optional.of("standby\tconf\n\n\nx"), f.standbyConf());
        assertEquals(Optional.of("{\"cluster\":\"a/b\",\"n\":\"n\\\"1\"}"), f.marker());
        // one-line values: every line break dropped
        assertEquals(Optional.of("15"), f.pgVersion());
        assertEquals(Optional.of("pa\"ss\\word"), f.managementPassword());
        assertEquals(Optional.of("repo1repo2"), f.backupConfigured());
        assertEquals(Optional.of(sha256(data.resolve("pg_hba.conf"))), f.hbaSha256());
        assertEquals(Optional.of(sha256(data.resolve("pgrds.conf"))), f.confSha256());
        assertTrue(f.dataExists());
        assertFalse(f.dataEmpty());
        assertFalse(f.binaries());
        assertFalse(f.running());
    }

    @Test
    void anEmptyOrMissingDataDirectoryHasNoData() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        ShellFacts e = probe(empty, tmp.resolve("nostate"));
        assertTrue(e.dataExists());
        assertTrue(e.dataEmpty());
        assertEquals(List.of(Optional.empty(), Optional.empty()), List.of(e.pgVersion(), e.hbaSha256()));
        ShellFacts m = probe(tmp.resolve("missing"), tmp.resolve("nostate"));
        assertFalse(m.dataExists());
        assertFalse(m.dataEmpty());
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
