package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --debug} with a command that reaches nodes, in a JVM of its own as a user starts it: it configures Logback
 * on the main thread, which must never meet SLF4J's stand-in loggers of a Logback still starting on another thread
 * (Warmup); that made 4 of 5 such runs end in a ClassCastException. Several runs, since it was a race.
 */
class DebugOptionIT {
    @TempDir
    Path tmp;

    @Test
    void debugStatusReportsTheNodesAndNeverFailsInside() throws Exception {
        Path jar = Path.of(System.getProperty("pgrds.jar", "target/pgrds.jar")).toAbsolutePath();
        Processes.Run init = Processes.run(tmp, "java", "-jar", jar.toString(), "init", "fleet");
        assertEquals(0, init.exit(), init.toString());
        for (int i = 0; i < 5; i++) {
            // the example cluster's hosts do not resolve: every node UNREACHABLE, status exits 1 (not healthy)
            Processes.Run r = Processes.run(tmp, Map.of(), List.of("java", "-jar", jar.toString(), "--repo", "fleet",
                    "--debug", "status", "example/integration"));
            assertFalse(r.err().contains("Exception"), "run " + (i + 1) + ": " + r.err());
            assertEquals(1, r.exit(), "run " + (i + 1) + ": " + r);
            assertTrue(r.out().contains("UNREACHABLE"), r.out());
        }
    }
}
