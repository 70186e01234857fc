package io.pgrds.cli;

import io.pgrds.daemon.JobStores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.testing.Cli;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DaemonOptionsTest {
    @Test
    void durationsAreWrittenWithAUnitAndABareNumberIsSeconds() {
        assertEquals(Duration.ofSeconds(60), DurationConverter.parse("60s"));
        assertEquals(Duration.ofSeconds(90), DurationConverter.parse("90"));
        assertEquals(Duration.ofMinutes(5), DurationConverter.parse("5m"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertEquals(Duration.ofMillis(1500), DurationConverter.parse("1500ms"));
    }

    @Test
    void anUnreadableDurationOrATooShortIntervalIsAUsageError() {
        assertEquals("'soon' is not a duration: write it as 30s, 5m, 1h or 1500ms (a bare number is seconds)",
                assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("soon"))
                        .getMessage());
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("-1"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("99999999999999h"));
        assertEquals("The interval 500 ms is too short: use at least 1s.",
                assertThrows(PgrdsException.class, () -> DaemonOptions.interval(Duration.ofMillis(500))).getMessage());
    }

    @Test
    void everyDurationOptionTakesTheOneSyntaxAndRefusesABadValueAsAUsageError() {
        String[][] bad = {{"status", "--timeout", "-1"}, {"status", "--connect-timeout", "ten"},
                {"status", "--watch", "5x"}, {"apply", "--lock-timeout", "-5"}, {"daemon", "--interval", "1d"},
                {"daemon", "--lock-timeout", "soon"}};
        for (String[] args : bad) {
            Cli.Run r = Cli.run(args);
            assertEquals(ErrorCode.USAGE.exitCode(), r.exit(), String.join(" ", args) + ": " + r);
            assertTrue(r.err().contains("is not a duration"), String.join(" ", args) + ": " + r.err());
            assertTrue(!r.err().contains("Exception"), "no stack trace: " + r.err());
        }
        Cli.Run help = Cli.run("status", "--help");
        assertTrue(help.out().contains("--timeout=DURATION") && help.out().contains("--watch=DURATION"), help.out());
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


    @Test
    void aSecretComesFromTheOptionElseFromTheSystemdCredentialElseNowhere(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path creds = java.nio.file.Files.createDirectories(tmp.resolve("credentials"));
        java.nio.file.Files.writeString(creds.resolve("webhook-secret"), "s3cret\n");
        java.util.Map<String, String> env = java.util.Map.of("CREDENTIALS_DIRECTORY", creds.toString());
        java.nio.file.Path option = tmp.resolve("from-option");

        assertEquals(java.util.Optional.of(option), DaemonOptions.secretFile(option, "webhook-secret", env),
                "the option wins over the credential");
        assertEquals(java.util.Optional.of(creds.resolve("webhook-secret")),
                DaemonOptions.secretFile(null, DaemonOptions.WEBHOOK_SECRET, env));
        assertEquals(java.util.Optional.empty(), DaemonOptions.secretFile(null, DaemonOptions.JOB_STORE_PASSWORD,
                env), "a credential the unit did not pass is no secret");
        assertEquals(java.util.Optional.empty(), DaemonOptions.secretFile(null, DaemonOptions.WEBHOOK_SECRET,
                java.util.Map.of()), "outside systemd there are no credentials");
    }
}
