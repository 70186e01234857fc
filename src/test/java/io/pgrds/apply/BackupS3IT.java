package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.ErrorCode;
import io.pgrds.harness.S3Server;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backup scenarios with an s3 repository: a real S3-compatible server (S3Proxy) on loopback, over TLS with a
 * certificate pgBackRest verifies against the CA file the YAML names; the keys only in a credentials file on the
 * nodes. Also: a credentials file that is missing, readable by everyone or incomplete is refused before anything
 * changes, and the keys appear in no output, file pgrds writes, log or audit record.
 */
class BackupS3IT extends BackupScenarios {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(3);

    @RegisterExtension
    static final S3Server s3 = S3Server.create();

    @Override
    TestHosts hosts() {
        return hosts;
    }

    @Override
    String repositoryYaml() {
        return s3.repositoryYaml("main");
    }

    @Override
    Path stored() {
        return s3.objects().resolve("pgbackrest");
    }

    @Override
    void emptyRepository() {
        hosts.tryRun("rm", "-rf", stored().toString());
    }

    private String withCredentials(String yaml, Path file) {
        return yaml.replace("credentialsFile: " + s3.credentialsFile(), "credentialsFile: " + file);
    }

    @Test
    void aBadCredentialsFileIsRefusedBeforeAnythingChanges() throws Exception {
        TestNode a = hosts.node(0);
        Path missing = s3.root().resolve("missing.conf");
        fleet.commit(SOURCE, withCredentials(cluster(List.of(a), ""), missing));
        Cli.Run r = pgrds("apply", "--auto-approve");
        assertEquals(ErrorCode.APPLY_FAILED.exitCode(), r.exit(), r.toString());
        assertTrue(r.err().contains(a.name() + ": the credentials file " + missing + " of repository main does not "
                + "exist; it must be a pgBackRest configuration fragment"), r.err());
        assertTrue(r.err().contains("Nothing was applied."), r.err());
        assertFalse(Files.exists(a.dataDirectory().resolve("PG_VERSION")), "no initdb before the check");

        Path open = s3.root().resolve("open.conf");
        s3.writeCredentials(open, Files.readString(s3.credentialsFile()));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        fleet.commit(SOURCE, withCredentials(cluster(List.of(a), ""), open));
        r = pgrds("apply", "--auto-approve");
        assertEquals(ErrorCode.APPLY_FAILED.exitCode(), r.exit(), r.toString());
        assertTrue(r.err().contains("is readable by every user of the node; run chmod 0600 " + open), r.err());

        Path bare = s3.root().resolve("bare.conf");
        s3.writeCredentials(bare, "repo1-s3-key=" + s3.key() + "\n");
        fleet.commit(SOURCE, withCredentials(cluster(List.of(a), ""), bare));
        r = pgrds("apply", "--auto-approve");
        assertEquals(ErrorCode.APPLY_FAILED.exitCode(), r.exit(), r.toString());
        assertTrue(r.err().contains("has no [global] section line"), r.err());
        assertFalse(Files.exists(a.dataDirectory().resolve("PG_VERSION")), "nothing was created");
        assertFalse(r.toString().contains(s3.key()), "the key is not shown: " + r);
    }

    @Test
    void theKeysAppearInNoOutputConfigurationLogOrAuditRecord() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        fleet.commit(SOURCE, cluster(List.of(a, b), ""));
        StringBuilder shown = new StringBuilder();
        shown.append(ok("plan"));
        // --debug sets the root logger's level for the whole JVM: put it back for the tests that follow
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level level = root.getLevel();
        try {
            shown.append(ok("apply", "--auto-approve", "--debug"));
            writeBatch(a, 1);
            shown.append(ok("backup", SOURCE, "--debug"));
        } finally {
            root.setLevel(level);
        }
        shown.append(ok("backups", SOURCE, "--json"));
        shown.append(ok("status", SOURCE, "--json"));
        shown.append(ok("history", SOURCE));
        assertTrue(shown.toString().contains("stanza orderdata-integration"), shown.toString());
        assertTrue(ok("backups", SOURCE).out().contains("full"), "the backup is in the bucket");
        for (String secret : List.of(s3.key(), s3.secret())) {
            assertFalse(shown.toString().contains(secret), "a key was shown");
        }
        for (TestNode n : List.of(a, b)) {
            Path state = Path.of(n.dataDirectory() + ".pgrds");
            assertEquals(s3.credentialsFile(), Files.readSymbolicLink(state.resolve("pgbackrest.d/credentials.conf")));
            try (Stream<Path> files = Files.walk(state)) {
                for (Path f : files.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        .toList()) {
                    String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                    assertFalse(text.contains(s3.secret()) || text.contains(s3.key()), "a key is in " + f);
                }
            }
            String serverLog = Files.readString(Path.of(n.dataDirectory() + ".pgrds/postgresql.log"));
            assertFalse(serverLog.contains(s3.secret()), "the secret is in the server log");
        }
    }
}
