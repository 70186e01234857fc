package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.util.BuildInfo;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class VersionTest {
    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void aReleaseBuildNamesItsVersionCommitTimeAndTheJavaRuntime() {
        assertArrayEquals(new String[] {"pgrds 0.2.0", "commit 1a2b3c4d5e6f", "built 2026-12-06T14:00:00Z",
            "java 17.0.15 (Debian)"}, Version.lines(BuildInfo.of(props("version", "0.2.0", "commit", "1a2b3c4d5e6f", "dirty",
                "false", "time", "2026-12-06T14:00:00Z")), "17.0.15", "Debian"));
    }

    @Test
    void aBuildFromUncommittedChangesSaysSo() {
        assertArrayEquals(new String[] {"pgrds 0.2.0", "commit 1a2b3c4d5e6f (with uncommitted changes)",
            "built 2026-12-06T14:00:00Z", "java 17 (X)"}, Version.lines(BuildInfo.of(props("version", "0.2.0", "commit",
                "1a2b3c4d5e6f", "dirty", "true", "time", "2026-12-06T14:00:00Z")), "17", "X"));
    }

    @Test
    void fromClassesOrOutsideGitTheMissingPartsReadDevAndUnknown() {
        assertArrayEquals(new String[] {"pgrds dev", "commit unknown", "built unknown", "java 17 (X)"},
                Version.lines(BuildInfo.of(new Properties()), "17", "X"));
        assertArrayEquals(new String[] {"pgrds 0.2.0", "commit unknown", "built 2026-12-06T14:00:00Z", "java 17 (X)"},
                Version.lines(BuildInfo.of(props("version", "0.2.0", "commit", "", "dirty", "true", "time",
                        "2026-12-06T14:00:00Z")), "17", "X"));
        assertArrayEquals(new String[] {"pgrds dev", "commit unknown", "built unknown", "java 17 (X)"},
                Version.lines(BuildInfo.of(props("version", "${project.version}", "commit", "${git.commit}", "time", " ")), "17",
                        "X"));
    }

    @Test
    void theLauncherArchiveIsNamedWhenTheJvmMapsItAndCalledOffWhenNot() {
        assertEquals(null, Version.classDataSharing(null, "mixed mode, sharing"), "the jar run directly");
        assertEquals("class data sharing: /var/cache/pgrds/pgrds.jsa",
                Version.classDataSharing("/var/cache/pgrds/pgrds.jsa", "mixed mode, sharing"));
        assertEquals("class data sharing: off (/var/cache/pgrds/pgrds.jsa does not fit this Java or is damaged; make "
                + "it again: dpkg-reconfigure pgrds)", Version.classDataSharing("/var/cache/pgrds/pgrds.jsa",
                        "mixed mode"));
    }
}
