package io.pgrds.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SystemdTest {
    private static final Path SYSTEMD_ESCAPE = Path.of("/usr/bin/systemd-escape");

    /** Data directories as they are written in cluster files, odd ones included. */
    private static final List<String> PATHS = List.of("/var/lib/pgrds/orderdata-integration/data",
            "/var/lib/pgrds/orderdata-integration/data/", "//srv//pg/./data", "/.hidden/data", "/a/.b",
            "/srv/pg data/x", "/srv/ünïcode-ß/data", "/srv/back\\slash", "/srv/a:b_c.d", "/srv/100%", "/",
            "/tmp/pgrds-it-123/node1/data");

    @Test
    void aDataDirectoryNamesItsInstanceOfTheTemplate() {
        assertEquals("pgrds@var-lib-pgrds-orderdata\\x2dintegration-data.service",
                Systemd.unitFor("/var/lib/pgrds/orderdata-integration/data"));
    }

    @Test
    void escapingSimplifiesThePathFirst() {
        assertEquals("srv-pg-data", Systemd.escapePath("//srv//pg/./data/"));
        assertEquals("\\x2ehidden-data", Systemd.escapePath("/.hidden/data"));
        assertEquals("a-.b", Systemd.escapePath("/a/.b"));
        assertEquals("-", Systemd.escapePath("/"));
    }

    @Test
    void pathsSystemdRefusesToEscapeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Systemd.escapePath("/a/../b"));
        assertThrows(IllegalArgumentException.class, () -> Systemd.escapePath("relative/data"));
    }

    @Test
    void escapingMatchesSystemdEscapeWherePresent() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(SYSTEMD_ESCAPE), SYSTEMD_ESCAPE + " is not installed here: "
                + "compared with the hand-checked cases above only");
        for (String path : PATHS) {
            assertEquals(systemdEscape(path), Systemd.escapePath(path), path);
        }
    }

    @Test
    void showOutputIsRead() {
        Optional<Systemd> s = Systemd.parse("pgrds@x.service", "LoadState=loaded\nUnitFileState=enabled\n"
                + "ActiveState=active\n");
        assertEquals(Optional.of(new Systemd("pgrds@x.service", "loaded", true, "active")), s);
        assertTrue(s.get().installed());
        Systemd missing = Systemd.parse("pgrds@x.service", "ActiveState=inactive\nLoadState=not-found\n"
                + "UnitFileState=\n").orElseThrow();
        assertFalse(missing.installed());
        assertFalse(missing.enabled());
        assertEquals("inactive", missing.active());
    }

    @Test
    void showOutputMissingALineIsNoEvidence() {
        assertEquals(Optional.empty(), Systemd.parse("pgrds@x.service", "LoadState=loaded\nActiveState=active\n"));
    }

    private static String systemdEscape(String path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(SYSTEMD_ESCAPE.toString(), "--path", path).redirectErrorStream(false)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "systemd-escape --path " + path);
        return out;
    }
}
