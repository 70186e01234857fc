package io.pgrds.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * systemd as one test node sees it ({@link TestHosts#systemd(TestNode)}): its sshd, and every session it serves,
 * runs in a mount namespace of its own where {@code /run/systemd/system} exists (what sd_booted(3) looks at) and
 * {@code /usr/bin/systemctl} is a script ({@code fake-systemctl.sh}) that records each call and runs
 * {@code pgrds@.service} instances with pg_ctl as postgres, so PostgreSQL really runs. The rest of this machine, and
 * the other nodes, see no systemd.
 *
 * <pre>
 * ROOT/systemd/nodeN/systemctl                 the script (bound on /usr/bin/systemctl)
 * ROOT/systemd/nodeN/run/                      bound on /run/systemd
 *   system/                                    systemd "runs"
 *   pgrds-fake/template                        the unit template is installed (removeTemplate() deletes it)
 *   pgrds-fake/calls.log                       every call but reads, one line each
 *   pgrds-fake/enabled/UNIT, active/UNIT       enabled at boot, started through the unit
 * </pre>
 */
public final class SystemdFake {
    private final Path script;
    private final Path state;

    private SystemdFake(Path script, Path state) {
        this.script = script;
        this.state = state;
    }

    static SystemdFake install(Path dir, String pgBin) {
        try {
            Path run = dir.resolve("run");
            Path state = run.resolve("pgrds-fake");
            Files.createDirectories(run.resolve("system"));
            Files.createDirectories(state.resolve("enabled"));
            Files.createDirectories(state.resolve("active"));
            Files.writeString(state.resolve("template"), "");
            Files.writeString(state.resolve("calls.log"), "");
            String text;
            try (InputStream in = SystemdFake.class.getResourceAsStream("fake-systemctl.sh")) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path script = dir.resolve("systemctl");
            Files.writeString(script, text.replace("@STATE@", state.toString()).replace("@BIN@", pgBin));
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.toList()) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p)
                            || p.equals(script) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            // the calls log is written by whoever calls (root for changes)
            return new SystemdFake(script, state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path script() {
        return script;
    }

    Path runDirectory() {
        return state.getParent();
    }

    /** Every systemctl call on the node that was not a read ({@code start pgrds@….service}), in order. */
    public List<String> calls() {
        try {
            return Files.readAllLines(state.resolve("calls.log")).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The units enabled at boot. */
    public Set<String> enabled() {
        return names(state.resolve("enabled"));
    }

    /** The units started through systemd and still running. */
    public Set<String> active() {
        return names(state.resolve("active"));
    }

    /** Back to a node with the template installed, nothing enabled or active, no calls recorded. */
    public void reset() {
        installTemplate();
        clearCalls();
        for (String dir : List.of("enabled", "active")) {
            for (String unit : names(state.resolve(dir))) {
                Cmd.ok("rm", "-f", state.resolve(dir).resolve(unit).toString());
            }
        }
    }

    /** Forgets the calls so far. */
    public void clearCalls() {
        try {
            Files.writeString(state.resolve("calls.log"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The unit template is installed (as the pgrds_node role does). */
    public void installTemplate() {
        try {
            Files.writeString(state.resolve("template"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The unit template is gone from the node (as on a node the Ansible role did not prepare). */
    public void removeTemplate() {
        try {
            Files.deleteIfExists(state.resolve("template"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What systemd does at boot, once the servers were killed: start every enabled unit. */
    public void boot() {
        Cmd.ok(script.toString(), "fake-boot");
    }

    private static Set<String> names(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return new TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
