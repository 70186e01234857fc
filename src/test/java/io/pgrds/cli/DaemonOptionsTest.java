package io.pgrds.cli;

import io.pgrds.daemon.JobStores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.PgrdsException;
import io.pgrds.testing.Cli;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DaemonOptionsTest {
    @Test
    void intervalsAreWrittenWithAUnitAndABareNumberIsSeconds() {
        assertEquals(Duration.ofSeconds(60), DaemonOptions.duration("60s"));
        assertEquals(Duration.ofSeconds(90), DaemonOptions.duration("90"));
        assertEquals(Duration.ofMinutes(5), DaemonOptions.duration("5m"));
        assertEquals(Duration.ofHours(1), DaemonOptions.duration("1h"));
        assertEquals(Duration.ofMillis(1500), DaemonOptions.duration("1500ms"));
    }

    @Test
    void anUnreadableOrTooShortIntervalIsAUsageError() {
        assertEquals("Unable to read the interval 'soon': write it as 90s, 5m or 1h.",
                assertThrows(PgrdsException.class, () -> DaemonOptions.duration("soon")).getMessage());
        assertEquals("The interval 500ms is too short: use at least 1s.",
                assertThrows(PgrdsException.class, () -> DaemonOptions.duration("500ms")).getMessage());
    }

    @Test
    void httpIsHostAndPortOrOff() {
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), DaemonOptions.address("127.0.0.1:8080"));
        assertEquals(new InetSocketAddress("::1", 9000), DaemonOptions.address("[::1]:9000"));
        assertNull(DaemonOptions.address("off"));
        assertThrows(PgrdsException.class, () -> DaemonOptions.address("8080"));
    }

    @Test
    void theDaemonCommandIsRegisteredWithItsOptions() {
        Cli.Run r = Cli.run("daemon", "--help");
        assertEquals(0, r.exit(), r.toString());
        for (String option : new String[] {"--interval", "--http", "--webhook-secret-file", "--job-store",
                "--job-store-password-file"}) {
            assertTrue(r.out().contains(option), option + " in\n" + r.out());
        }
    }

    @Test
    void aJobStoreMustBePostgresqlAndItsPasswordIsNeverShown() {
        assertThrows(IllegalArgumentException.class, () -> new JobStores.Jdbc("jdbc:mysql://x/y",
                java.util.Optional.empty(), 5000));
        assertEquals("jdbc:postgresql://db/q?user=pgrds&password=***&ssl=true", new JobStores.Jdbc(
                "jdbc:postgresql://db/q?user=pgrds&password=hunter2&ssl=true", java.util.Optional.empty(), 5000)
                .toString());
    }

}
