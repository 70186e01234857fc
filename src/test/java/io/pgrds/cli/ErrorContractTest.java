package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.ErrorCode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The error contract (docs/cli.md) for bad command lines: one error line with its code, the documented exit status. */
class ErrorContractTest {
    @TempDir
    Path tmp;

    @Test
    void applyOfAMissingSavedPlanSaysTheFileIsMissingNotThatTheClusterIsUnknown() {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", "transport: local\nnodes:\n  - {host: localhost}\n");
        for (String target : new String[] {"./missing.plan", tmp.resolve("nowhere.json").toString(), "plans/x/y"}) {
            Cli.Run r = Cli.run("--repo", fleet.dir().toString(), "apply", target, "--auto-approve");
            assertEquals(ErrorCode.IO.exitCode(), r.exit(), target + ": " + r);
            assertTrue(r.err().startsWith("error [IO]: the saved plan ") && r.err().contains("does not exist"),
                    target + ": " + r.err());
            assertFalse(r.err().contains("unknown") || r.err().contains("Exception"), r.err());
        }
    }

    @Test
    void aClusterIdIsStillAClusterId() {
        assertFalse(ConfirmOptions.looksLikeAFile("orderdata/integration"));
        assertFalse(ConfirmOptions.looksLikeAFile("orderdata"));
        assertTrue(ConfirmOptions.looksLikeAFile("./orderdata"));
        assertTrue(ConfirmOptions.looksLikeAFile("switch.plan"));
    }

    @Test
    void historyWithANegativeLimitIsAUsageError() {
        for (String limit : new String[] {"-1", "0", "many"}) {
            Cli.Run r = Cli.run("history", "orderdata/integration", "--limit", limit);
            assertEquals(ErrorCode.USAGE.exitCode(), r.exit(), limit + ": " + r);
            assertTrue(r.err().startsWith("error [USAGE]: "), limit + ": " + r.err());
            assertFalse(r.err().contains("INTERNAL") || r.err().contains("Exception"), r.err());
        }
    }

    @Test
    void aBusyHttpPortIsAnIoErrorNamingThePortNotABug() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", "transport: local\nnodes:\n  - {host: localhost}\n");
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();
            Cli.Run r = Cli.run("--repo", fleet.dir().toString(), "daemon", "--http", "127.0.0.1:" + port);
            assertEquals(ErrorCode.IO.exitCode(), r.exit(), r.toString());
            assertTrue(r.err().startsWith("error [IO]: Unable to listen on 127.0.0.1 port " + port), r.err());
            assertFalse(r.err().contains("bug") || r.err().contains("Exception"), r.err());
        }
    }

    @Test
    void listingBackupsWhenNoNodeCanBeReachedIsUnreachableNotAFailedApply() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        java.nio.file.Files.createDirectories(fleet.dir().resolve("clusters"));
        java.nio.file.Files.writeString(fleet.dir().resolve("clusters/defaults.yaml"),
                "repositories: {main: {type: posix, path: /var/lib/pgbackrest}}\n");
        // nothing listens on port 1 of the loopback: every connection is refused at once
        fleet.commit("orderdata/integration", "ssh: {port: 1}\nnodes:\n  - {host: 127.0.0.1}\n"
                + "backup: {repository: main}\n");
        Cli.Run r = Cli.run("--repo", fleet.dir().toString(), "backups", "orderdata/integration",
                "--connect-timeout", "2s");
        assertEquals(ErrorCode.UNREACHABLE.exitCode(), r.exit(), r.toString());
        assertTrue(r.err().startsWith("error [UNREACHABLE]: no node of orderdata/integration could be reached"),
                r.err());
        assertFalse(r.err().contains("APPLY_FAILED"), r.err());
    }

    @Test
    void aTeamWhereOneClusterIsNeededSaysSo() {
        for (String command : new String[] {"credentials", "history", "backups", "backup", "verify-backup"}) {
            Cli.Run r = Cli.run(command, "orderdata");
            assertEquals(ErrorCode.USAGE.exitCode(), r.exit(), command + ": " + r);
            assertTrue(r.err().contains("\"orderdata\" names no single cluster: name it as team/stage"),
                    command + ": " + r.err());
        }
    }
}
