package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar's daemon reads its secrets from the systemd credentials pgrds-daemon.service hands it. */
class DaemonCredentialsIT {
    @TempDir
    Path tmp;

    @Test
    void theDaemonReadsTheWebhookSecretFromItsCredentialsDirectory() throws Exception {
        Path credentials = Files.createDirectories(tmp.resolve("credentials"));
        Files.writeString(credentials.resolve("webhook-secret"), "\n");
        CliIT.Run r = CliIT.pgrds(tmp, Map.of("CREDENTIALS_DIRECTORY", credentials.toString()), "--repo",
                tmp.toString(), "daemon", "--http", "off");
        assertEquals(ErrorCode.USAGE.exitCode(), r.exit(), r.toString());
        assertEquals("error [USAGE]: The secret file " + credentials.resolve("webhook-secret") + " is empty; write "
                + "the secret into it.\n", r.err());
        assertFalse(r.err().contains("\tat "));

        Path option = Files.writeString(tmp.resolve("empty-option"), "");
        CliIT.Run withOption = CliIT.pgrds(tmp, Map.of("CREDENTIALS_DIRECTORY", credentials.toString()), "--repo",
                tmp.toString(), "daemon", "--http", "off", "--webhook-secret-file", option.toString());
        assertTrue(withOption.err().contains("The secret file " + option + " is empty"),
                "the option comes before the credential: " + withOption.err());
    }
}
