package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package's launcher (src/deb/pgrds) with the class data sharing archive that make-cds-archive makes from the
 * build's class list, in a temporary directory instead of /usr/lib/pgrds and /var/cache/pgrds (no root needed):
 * a damaged, truncated or missing archive never breaks pgrds, and only a wrong size is said on stderr.
 */
class CdsFallbackIT {
    @TempDir
    static Path tmp;
    static Path lib;
    static Path goodArchive;
    static final Path SRC = Path.of(System.getProperty("pgrds.deb.src", "src/deb"));

    @BeforeAll
    static void makeTheArchiveAsThePackageDoes() throws Exception {
        Path classList = Path.of(System.getProperty("pgrds.deb.root", "target/deb-root"),
                "usr/lib/pgrds/pgrds.classlist");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(classList), "skipped: " + classList
                + " is missing (built with -Dpgrds.deb.skip?)");
        lib = Files.createDirectories(tmp.resolve("lib"));
        Files.copy(Path.of(System.getProperty("pgrds.jar", "target/pgrds.jar")), lib.resolve("pgrds.jar"));
        Files.copy(classList, lib.resolve("pgrds.classlist"));
        Path cds = tmp.resolve("made");
        Processes.Run made = Processes.run(tmp, Map.of("PGRDS_LIB", lib.toString(), "PGRDS_CDS_DIR", cds.toString()),
                List.of(SRC.resolve("make-cds-archive").toAbsolutePath().toString()));
        assertEquals(0, made.exit(), made.toString());
        assertEquals("", made.err());
        goodArchive = cds.resolve("pgrds.jsa");
        assertEquals(Files.size(goodArchive) + "\n", Files.readString(cds.resolve("pgrds.jsa.size")));
    }

    /** A cache directory of its own with a copy of the good archive and its recorded size. */
    private static Path cacheWithArchive(String name) throws Exception {
        Path cds = Files.createDirectories(tmp.resolve(name));
        Files.copy(goodArchive, cds.resolve("pgrds.jsa"));
        Files.copy(goodArchive.resolveSibling("pgrds.jsa.size"), cds.resolve("pgrds.jsa.size"));
        return cds;
    }

    private static Processes.Run pgrds(Path cds, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(SRC.resolve("pgrds").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return Processes.run(tmp, Map.of("PGRDS_LIB", lib.toString(), "PGRDS_CDS_DIR", cds.toString(),
                "PGRDS_JAVA_OPTS", "-XX:ErrorFile=" + tmp.resolve("hs_err.log")), cmd);
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void theJvmMapsAnIntactArchiveAndSaysNothingAboutIt() throws Exception {
        Path cds = cacheWithArchive("intact");
        Processes.Run r = pgrds(cds, "--version");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("pgrds "), r.out());
        assertEquals("class data sharing: " + cds.resolve("pgrds.jsa"), lastLine(r.out()));
        assertEquals("", r.err());
    }

    @Test
    void anArchiveDamagedInsideIsLeftAsideSilentlyAndVersionSaysSo() throws Exception {
        Path cds = cacheWithArchive("damaged");
        try (RandomAccessFile f = new RandomAccessFile(cds.resolve("pgrds.jsa").toFile(), "rw")) {
            f.seek(f.length() / 2);
            f.write(new byte[4096]);
            f.seek(20_000);
            f.write(new byte[4096]);
        }
        Processes.Run r = pgrds(cds, "--version");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("pgrds "), r.out());
        assertTrue(lastLine(r.out()).startsWith("class data sharing: off (" + cds.resolve("pgrds.jsa")
                + " does not fit this Java or is damaged"), r.out());
        assertEquals("", r.err(), "a normal run says nothing");
        assertFalse(Files.exists(tmp.resolve("hs_err.log")), "the JVM crashed");
    }

    @Test
    void aTruncatedArchiveIsNotGivenToTheJvmAndOneLineSaysSo() throws Exception {
        Path cds = cacheWithArchive("truncated");
        try (RandomAccessFile f = new RandomAccessFile(cds.resolve("pgrds.jsa").toFile(), "rw")) {
            f.setLength(100_000);
        }
        Processes.Run r = pgrds(cds, "--version");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("pgrds "), r.out());
        assertFalse(r.out().contains("class data sharing"), "no archive given to the JVM: " + r.out());
        assertEquals("pgrds: warning: the class data sharing archive " + cds.resolve("pgrds.jsa") + " is damaged or "
                + "missing (100000 bytes, " + Files.size(goodArchive) + " expected); starting without it, more "
                + "slowly. To make it again: dpkg-reconfigure pgrds\n", r.err());
        assertFalse(Files.exists(tmp.resolve("hs_err.log")), "the JVM crashed");
    }

    @Test
    void aMissingArchiveIsSaidWhenOneWasMadeAndNotWhenNoneWas() throws Exception {
        Path cds = cacheWithArchive("missing");
        Files.delete(cds.resolve("pgrds.jsa"));
        Processes.Run r = pgrds(cds, "--version");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().startsWith("pgrds: warning: the class data sharing archive " + cds.resolve("pgrds.jsa")
                + " is damaged or missing (no bytes, "), r.err());

        Processes.Run none = pgrds(tmp.resolve("never-made"), "--version");
        assertEquals(0, none.exit(), none.toString());
        assertEquals("java ", lastLine(none.out()).substring(0, 5), "no class data sharing line: " + none.out());
        assertEquals("", none.err());
    }

    @Test
    void validateRunsOnTheArchive() throws Exception {
        Path cds = cacheWithArchive("validate");
        Processes.Run init = pgrds(cds, "init", tmp.resolve("fleet").toString());
        assertEquals(0, init.exit(), init.toString());
        Processes.Run r = pgrds(cds, "--repo", tmp.resolve("fleet").toString(), "validate");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("valid."), r.out());
        assertEquals("", r.err());
    }

    /**
     * The JIT's compiler threads: one for the CLI where there are one or two processors (a second would compete with
     * the command for them), the JVM's own choice with more, for the daemon, and when PGRDS_JAVA_OPTS sets options
     * (a -XX:TieredStopAtLevel=4 there would make one thread an error).
     */
    @Test
    void theCliTakesOneCompilerThreadOnlyOnOneOrTwoProcessors() throws Exception {
        String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).strip();
        boolean small = online.equals("0") || online.equals("0-1");
        assertEquals(small ? "1 {command line}" : "ergonomic", compilerThreads(Map.of(), "--version"), online);
        assertEquals("ergonomic", compilerThreads(Map.of(), "daemon", "--help"));
        assertEquals("ergonomic", compilerThreads(Map.of("PGRDS_JAVA_OPTS", "-XX:TieredStopAtLevel=4"), "--version"));
    }

    /** CICompilerCount as the JVM that the launcher starts prints it: "N {command line}", or "ergonomic". */
    private String compilerThreads(Map<String, String> more, String... args) throws Exception {
        java.util.Map<String, String> env = new java.util.HashMap<>(Map.of("PGRDS_LIB", lib.toString(),
                "PGRDS_CDS_DIR", tmp.resolve("never-made").toString(), "JAVA_TOOL_OPTIONS", "-XX:+PrintFlagsFinal"));
        env.putAll(more);
        List<String> cmd = new java.util.ArrayList<>(List.of(SRC.resolve("pgrds").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        Processes.Run r = Processes.run(tmp, env, cmd);
        assertEquals(0, r.exit(), r.toString());
        String line = r.out().lines().filter(l -> l.matches("\\s*intx CICompilerCount\\s+=.*")).findFirst()
                .orElseThrow(() -> new AssertionError("no CICompilerCount in " + r.out()));
        return line.contains("{command line}") ? line.replaceAll(".*=\\s*(\\d+).*", "$1") + " {command line}"
                : "ergonomic";
    }
}
