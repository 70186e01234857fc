package io.pgrds.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class BuildInfoTest {
    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void aBuildInAGitCheckoutNamesItsCommitAndWhetherItWasDirty() {
        assertEquals(new BuildInfo("0.1.0", "abc123def456", true, "2026-12-06T15:00:00Z"), BuildInfo.of(props(
                "version", "0.1.0", "commit", "abc123def456", "dirty", "true", "time", "2026-12-06T15:00:00Z")));
    }

    @Test
    void missingOrUnexpandedValuesReadDevAndUnknown() {
        assertEquals(new BuildInfo("dev", "unknown", false, "unknown"), BuildInfo.of(new Properties()));
        // outside git, Ant leaves the property unexpanded; a dirty flag without a commit means nothing
        assertEquals(new BuildInfo("0.1.0", "unknown", false, "unknown"),
                BuildInfo.of(props("version", "0.1.0", "commit", "${build.commit}", "dirty", "true", "time", " ")));
    }
}
