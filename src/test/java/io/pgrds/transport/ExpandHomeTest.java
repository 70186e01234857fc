package io.pgrds.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ExpandHomeTest {
    private static final Path HOME = Path.of(System.getProperty("user.home"));

    @Test
    void aTildeMeansTheHomeOfTheUserRunningPgrdsAsInOpenSsh() {
        assertEquals(HOME.resolve(".ssh/id_ed25519"), SshRoute.expandHome("~/.ssh/id_ed25519"));
        assertEquals(HOME, SshRoute.expandHome("~"));
    }

    @Test
    void otherPathsAreLeftAlone() {
        assertEquals(Path.of("/etc/pgrds/key"), SshRoute.expandHome("/etc/pgrds/key"));
        assertEquals(Path.of("keys/~/x"), SshRoute.expandHome("keys/~/x"));
    }
}
