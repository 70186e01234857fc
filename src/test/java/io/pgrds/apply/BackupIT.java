package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The backup scenarios with a posix repository: a directory on this machine that every node reaches. */
class BackupIT extends BackupScenarios {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(3);

    @Override
    TestHosts hosts() {
        return hosts;
    }

    @Override
    String repositoryYaml() {
        return "main: {type: posix, path: " + stored() + "}";
    }

    @Override
    Path stored() {
        return hosts.root().resolve("repository");
    }

    @Override
    void emptyRepository() {
        hosts.tryRun("rm", "-rf", stored().toString());
        hosts.run("install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0750", stored().toString());
    }

    private static final Path POSTGRES_KEYS = Path.of(hosts.run("getent", "passwd", "postgres").split(":")[5].strip(),
            ".ssh", "authorized_keys");

    private static List<String> backupKeys() throws Exception {
        return Files.exists(POSTGRES_KEYS) ? Files.readAllLines(POSTGRES_KEYS).stream()
                .filter(l -> l.contains(" pgrds-backup:orderdata-integration:")).toList() : List.of();
    }

    @Test
    void aBackupFromAStandbyCopiesTheStandbyFallsBackToThePrimaryAndStaysRestorable() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        String fromStandby = cluster(List.of(a, b), "").replace("retention: {full: 2}}",
                "retention: {full: 2}, fromStandby: true}");
        try {
            fleet.commit(SOURCE, fromStandby);
            ok("apply", "--auto-approve");
            List<String> keys = backupKeys();
            assertEquals(2, keys.size(), "each node's key is trusted by the other (one postgres on this machine): "
                    + keys);
            assertTrue(keys.stream().allMatch(k -> k.startsWith("restrict,from=\"127.0.0.0/8\" ssh-ed25519 ")), keys
                    .toString());
            writeBatch(a, 1);
            Cli.Run backup = ok("backup", SOURCE);
            assertTrue(backup.out().contains("full backup from " + b.name() + " (standby): "), backup.out());
            String log = Files.readString(Path.of(b.dataDirectory() + ".pgrds/pgbackrest/log/"
                    + "orderdata-integration-backup.log"));
            assertTrue(log.contains("--backup-standby") && log.contains("--pg2-host=" + a.address()), log);
            writeBatch(a, 2);
            archiveNow(a);
            Cli.Run drill = ok("verify-backup", SOURCE);
            assertTrue(drill.out().contains("and opened; last transaction 20"), drill.out());

            hosts.stop(b);
            Cli.Run fallback = ok("backup", SOURCE, "--type", "incr");
            assertTrue(fallback.out().contains("no standby of " + SOURCE + " is streaming from " + a.name()
                    + ": backing up from the primary"), fallback.toString());
            assertTrue(fallback.out().contains("incr backup from " + a.name() + ": "), fallback.out());

            hosts.start(b);
            fleet.commit(SOURCE, cluster(List.of(a, b), ""));
            ok("apply", "--auto-approve");
            assertEquals(List.of(), backupKeys(), "turning fromStandby off removes the keys");
        } finally {
            if (Files.exists(POSTGRES_KEYS)) {
                List<String> kept = Files.readAllLines(POSTGRES_KEYS).stream()
                        .filter(l -> !l.contains(" pgrds-backup:")).toList();
                Files.write(POSTGRES_KEYS, kept);
            }
        }
    }
}
