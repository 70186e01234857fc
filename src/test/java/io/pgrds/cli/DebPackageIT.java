package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/pgrds.deb installed on this machine with dpkg, used, upgraded to a newer version, removed and purged, the
 * way an operator would. Needs root and dpkg; skipped otherwise, and when a pgrds package is installed already (the
 * test would replace it). The package is purged at the end, whatever happened.
 */
class DebPackageIT {
    private static final Path DEB = Path.of(System.getProperty("pgrds.deb", "target/pgrds.deb"));
    private static final String CONF = "/etc/pgrds/daemon.conf";
    private static final String STATE = "/var/lib/pgrds-daemon";

    @TempDir
    Path tmp;

    private Processes.Run sh(String... command) throws Exception {
        return Processes.run(tmp, Map.of("LANG", "C.UTF-8"), List.of(command));
    }

    private Processes.Run ok(String... command) throws Exception {
        Processes.Run r = sh(command);
        assertEquals(0, r.exit(), String.join(" ", command) + ":\n" + r);
        return r;
    }

    @Test
    void theDebInstallsWorksUpgradesKeepingStateAndConfigurationAndPurgesClean() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "skipped: dpkg is not installed (not Debian)");
        assumeTrue("0".equals(sh("id", "-u").out().strip()), "skipped: installing a .deb needs root");
        assumeTrue(Files.exists(DEB), "skipped: " + DEB + " is missing (built with -Dpgrds.deb.skip?)");
        assumeTrue(!sh("dpkg-query", "-W", "-f=${Status}", "pgrds").out().contains("installed"),
                "skipped: a pgrds package is installed on this machine; the test would replace and purge it");
        Processes.Run purge = null;
        try {
            Processes.Run install = ok("dpkg", "-i", DEB.toAbsolutePath().toString());
            assertTrue(install.out().contains("set PGRDS_REPO in /etc/pgrds/daemon.conf"), install.out());
            assertFalse(install.err().contains("class data sharing"), "the archive was made: " + install.err());

            String version = ok("dpkg-query", "-W", "-f=${Version}", "pgrds").out();
            theCommandWorks();
            theManPagesCompletionAndUnitAreInstalled();
            theDaemonHasItsUserAndRefusesToStartUnconfigured();
            aTruncatedArchiveDoesNotBreakTheCommandAndReconfigureMakesItAgain();

            // an upgrade: the operator's configuration and the daemon's state survive it
            Files.writeString(Path.of(CONF), "PGRDS_REPO=ssh://git@git.example.com/ops/fleet.git\n",
                    java.nio.file.StandardOpenOption.APPEND);
            Path key = Files.createDirectories(Path.of(STATE, ".ssh")).resolve("id_ed25519");
            Files.writeString(key, "not a real key\n");
            Path newer = newerVersionOfThePackage(version);
            Processes.Run upgrade = ok("dpkg", "-i", newer.toString());
            assertFalse(upgrade.out().contains("set PGRDS_REPO"), "no first-install note on upgrade: " + upgrade.out());
            assertEquals(version + "+1", ok("dpkg-query", "-W", "-f=${Version}", "pgrds").out());
            assertTrue(Files.readString(Path.of(CONF)).endsWith("PGRDS_REPO=ssh://git@git.example.com/ops/fleet.git\n"),
                    "the conffile keeps the operator's change");
            assertEquals("not a real key\n", Files.readString(key), "the state survives the upgrade");
            assertTrue(ok("/usr/bin/pgrds", "--version").out().contains("class data sharing: /var/cache/pgrds/pgrds.jsa"));

            // remove keeps configuration and state; purge removes them, and the daemon's user
            ok("dpkg", "--remove", "pgrds");
            assertFalse(Files.exists(Path.of("/usr/bin/pgrds")));
            assertTrue(Files.exists(Path.of(CONF)) && Files.exists(key), "remove keeps configuration and state");
            assertFalse(Files.exists(Path.of("/var/cache/pgrds")), "the archive goes with the jar");
        } finally {
            // whatever happened above; its result is checked below, so that it never hides the failure above
            purge = sh("dpkg", "--purge", "pgrds");
        }
        assertEquals(0, purge.exit(), purge.toString());
        for (String gone : new String[] {"/usr/bin/pgrds", "/usr/lib/pgrds", CONF, STATE, "/var/cache/pgrds",
            "/lib/systemd/system/pgrds-daemon.service"}) {
            assertFalse(Files.exists(Path.of(gone)), gone + " is left after purge");
        }
        assertEquals(2, sh("getent", "passwd", "pgrds-daemon").exit(), "the daemon's user is left after purge");
    }

    private void theCommandWorks() throws Exception {
        Processes.Run v = ok("/usr/bin/pgrds", "--version");
        assertTrue(v.out().startsWith("pgrds "), v.out());
        assertTrue(v.out().contains("\ncommit "), v.out());
        assertTrue(v.out().endsWith("\nclass data sharing: /var/cache/pgrds/pgrds.jsa\n"),
                "postinst made the archive for this Java and the JVM maps it:\n" + v.out());
        assertEquals("", v.err());

        // the repository's example fleet, committed as an operator's repository would be
        Path fleet = tmp.resolve("fleet");
        Path clusters = Path.of("clusters");
        try (Stream<Path> files = Files.walk(clusters)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = fleet.resolve(f.toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        try (Git git = Git.init().setDirectory(fleet.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern("clusters").call();
            git.commit().setMessage("fleet").setAuthor("t", "t@localhost").setCommitter("t", "t@localhost").call();
        }
        Processes.Run validate = ok("/usr/bin/pgrds", "--repo", fleet.toString(), "validate");
        assertTrue(validate.out().contains("orderdata/production") && validate.out().contains(": valid."),
                validate.out());
    }

    private void theManPagesCompletionAndUnitAreInstalled() throws Exception {
        assertEquals("/usr/share/man/man1/pgrds-daemon.1.gz\n", ok("man", "-w", "pgrds-daemon").out());
        Processes.Run page = Processes.run(tmp, Map.of("MANWIDTH", "100", "LANG", "C.UTF-8"),
                List.of("man", "--warnings", "-P", "cat", "pgrds-daemon"));
        assertEquals(0, page.exit(), page.toString());
        assertTrue(page.out().contains("--webhook-secret-file=FILE"), page.out());
        assertEquals("", page.err(), "troff warnings");
        assertTrue(Files.exists(Path.of("/usr/share/man/man1/pgrds.1.gz")));

        Processes.Run complete = ok("bash", "-c", "source /usr/share/bash-completion/completions/pgrds; "
                + "COMP_WORDS=(pgrds vali); COMP_CWORD=1; COMP_LINE='pgrds vali'; COMP_POINT=10; _complete_pgrds; "
                + "printf '%s\\n' \"${COMPREPLY[@]}\"");
        assertEquals("validate\n", complete.out());
        assertTrue(Files.readString(Path.of("/usr/share/zsh/vendor-completions/_pgrds"), StandardCharsets.UTF_8)
                .startsWith("#compdef pgrds\n"));

        if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
            Processes.Run verify = sh("systemd-analyze", "verify", "/lib/systemd/system/pgrds-daemon.service");
            assertEquals(0, verify.exit(), verify.toString());
            assertEquals("", verify.err() + verify.out(), "systemd-analyze has something to say about the unit");
        }
    }

    private void theDaemonHasItsUserAndRefusesToStartUnconfigured() throws Exception {
        assertTrue(ok("getent", "passwd", "pgrds-daemon").out().matches(
                "pgrds-daemon:x:\\d+:\\d+:[^:]*:/var/lib/pgrds-daemon:/usr/sbin/nologin\n"));
        assertEquals("pgrds-daemon pgrds-daemon 750\n", ok("stat", "-c", "%U %G %a", STATE).out());
        String conf = Files.readString(Path.of(CONF));
        assertTrue(conf.contains("\nPGRDS_REPO=\n"), conf);
        assertTrue(ok("cat", "/var/lib/dpkg/info/pgrds.conffiles").out().contains(CONF + "\n"));

        // what the unit's ExecStartPre says in the journal, with the environment systemd gives it
        Processes.Run empty = Processes.run(tmp, Map.of("PGRDS_REPO", ""),
                List.of("/usr/lib/pgrds/check-daemon-config", CONF));
        assertEquals(1, empty.exit());
        assertTrue(empty.err().startsWith("pgrds-daemon: not starting: PGRDS_REPO is empty in " + CONF + "."),
                empty.err());
        Processes.Run missing = Processes.run(tmp, Map.of("PGRDS_REPO", "/srv/fleet"),
                List.of("/usr/lib/pgrds/check-daemon-config", "/etc/pgrds/missing.conf"));
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("pgrds-daemon: not starting: the configuration file "
                + "/etc/pgrds/missing.conf is missing."), missing.err());
        assertEquals(0, Processes.run(tmp, Map.of("PGRDS_REPO", "/srv/fleet"),
                List.of("/usr/lib/pgrds/check-daemon-config", CONF)).exit());
    }

    private void aTruncatedArchiveDoesNotBreakTheCommandAndReconfigureMakesItAgain() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile("/var/cache/pgrds/pgrds.jsa", "rw")) {
            f.setLength(f.length() / 3);
        }
        Processes.Run v = ok("/usr/bin/pgrds", "--version");
        assertTrue(v.out().startsWith("pgrds "), v.out());
        assertTrue(v.err().startsWith("pgrds: warning: the class data sharing archive /var/cache/pgrds/pgrds.jsa is "
                + "damaged or missing") && v.err().endsWith("To make it again: dpkg-reconfigure pgrds\n"), v.err());
        assertEquals(1, v.err().lines().count(), v.err());
        ok("dpkg-reconfigure", "pgrds");
        Processes.Run again = ok("/usr/bin/pgrds", "--version");
        assertTrue(again.out().endsWith("\nclass data sharing: /var/cache/pgrds/pgrds.jsa\n"), again.out());
        assertEquals("", again.err());
    }

    /** The same package as version {@code <version>+1}: what an upgrade installs. */
    private Path newerVersionOfThePackage(String version) throws Exception {
        Path tree = tmp.resolve("newer");
        ok("dpkg-deb", "-R", DEB.toAbsolutePath().toString(), tree.toString());
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replace("Version: " + version + "\n",
                "Version: " + version + "+1\n"));
        Path deb = tmp.resolve("pgrds-newer.deb");
        // uncompressed: xz would take half a minute here, and this file never leaves the test
        ok("dpkg-deb", "-Znone", "-b", tree.toString(), deb.toString());
        return deb;
    }
}
