package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.HbaRule;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.PostgresSettings;
import io.pgrds.desired.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {
    static final DesiredCluster CLUSTER = ScenarioDesired.parse("""
            postgres:
              parameters: {max_connections: 200, search_path: "'$user', public"}
              hba:
                - {type: host, database: all, user: all, address: 10.0.0.0/8, method: scram-sha-256}
                - {type: local, database: app, user: app, method: peer}
            nodes:
              - {name: pg1, host: 10.0.0.1}
              - {name: pg2, host: db2.example.com}
            """);

    @Test
    void hbaAdmitsReplicationOnlyFromTheClusterNodesThenTheFileRules() {
        assertEquals("""
                # Written by pgrds for cluster test/scenario.
                # Do not edit: change postgres.hba in clusters/test/scenario.yaml instead.
                # administration on the node itself
                local   all          postgres                             peer
                local   all          all                                  scram-sha-256
                host    all          pgrds       127.0.0.1/32             scram-sha-256
                host    all          pgrds       ::1/128                  scram-sha-256
                # pgrds (through its SSH tunnel) and replication, from the cluster's nodes only
                host    all          pgrds       10.0.0.1/32              scram-sha-256
                host    all          pgrds       db2.example.com          scram-sha-256
                host    replication  replicator  10.0.0.1/32              scram-sha-256
                host    replication  replicator  db2.example.com          scram-sha-256
                # rules from the cluster file
                host    all          all         10.0.0.0/8               scram-sha-256
                local   app          app                                  peer
                """, ConfigFiles.hba(CLUSTER));
    }

    @Test
    void postgresqlConfHoldsTheUserParametersAndPgrdsOwnQuotedAndSorted() {
        assertEquals("""
                # Written by pgrds for cluster test/scenario, node pg2.
                # Do not edit: change postgres.parameters in clusters/test/scenario.yaml instead.
                hot_standby = 'on'
                listen_addresses = 'db2.example.com'
                max_connections = '200'
                port = '5432'
                search_path = '''$user'', public'
                unix_socket_directories = '/var/lib/pgrds/test-scenario/data.pgrds/run'
                wal_keep_size = '512MB'
                wal_level = 'replica'
                wal_log_hints = 'on'
                """, ConfigFiles.postgresqlConf(CLUSTER, CLUSTER.node("pg2").orElseThrow()));
    }

    @Test
    void theHashIsTheSha256OfTheUtf8Text() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ConfigFiles.sha256(""));
    }

    // ---- one quoting rule per language; values validate refuses are refused here too ----

    @Test
    void aConfValueIsSingleQuotedWithQuotesAndBackslashesDoubled() {
        assertEquals("'it''s a \\\\ test $(touch /tmp/x)'", ConfigFiles.confValue("it's a \\ test $(touch /tmp/x)"));
        assertEquals("''", ConfigFiles.confValue(""));
        assertEquals("'\u202e🐘'", ConfigFiles.confValue("\u202e🐘"));
    }

    @Test
    void aConfValueThatWouldEndTheLineIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigFiles.confValue("app\nmax_connections = 5"));
        assertEquals("a postgresql.conf value cannot hold a line feed (U+000A): \"app\\nmax_connections = 5\"",
                e.getMessage());
        for (String bad : List.of("a\rb", "a\0b", "a\tb", "a\u2028b", "a\u0085b")) {
            assertThrows(IllegalArgumentException.class, () -> ConfigFiles.confValue(bad), bad);
        }
    }

    @Test
    void everyFileRefusesAValueThatSlippedPastValidation() {
        DesiredCluster bad = with(CLUSTER, new PostgresSettings(15, new TreeMap<>(Map.of("application_name",
                "x\nfsync = off")), List.of()));
        assertThrows(IllegalArgumentException.class, () -> ConfigFiles.postgresqlConf(bad, bad.nodes().get(0)));
        DesiredCluster split = with(CLUSTER, new PostgresSettings(15, new TreeMap<>(), List.of(new HbaRule("host",
                "all host all all 0.0.0.0/0 trust", "all", Optional.of("10.0.0.0/8"), "md5"))));
        assertEquals("a pg_hba.conf field would be split at a space: \"all host all all 0.0.0.0/0 trust\"",
                assertThrows(IllegalArgumentException.class, () -> ConfigFiles.hba(split)).getMessage());
        DesiredCluster comment = with(CLUSTER, new PostgresSettings(15, new TreeMap<>(), List.of(new HbaRule("host",
                "all", "all", Optional.of("10.0.0.0/8#"), "md5"))));
        assertThrows(IllegalArgumentException.class, () -> ConfigFiles.hba(comment));
        DesiredCluster line = with(CLUSTER, new PostgresSettings(15, new TreeMap<>(), List.of(new HbaRule("host",
                "\"all\nhost\"", "all", Optional.of("10.0.0.0/8"), "md5"))));
        assertThrows(IllegalArgumentException.class, () -> ConfigFiles.hba(line));
    }

    @Test
    void aQuotedHbaNameKeepsItsSpacesInOneField() {
        DesiredCluster quoted = with(CLUSTER, new PostgresSettings(15, new TreeMap<>(), List.of(new HbaRule("host",
                "\"app db\"", "+admins", Optional.of("10.0.0.0/8"), "md5"))));
        assertTrue(ConfigFiles.hba(quoted).endsWith("\nhost    \"app db\"     +admins     10.0.0.0/8               "
                + "md5\n"), ConfigFiles.hba(quoted));
    }

    @Test
    void theArchiveCommandQuotesEachArgumentForTheShellAndLeavesOnlyPercentPToPostgres(@TempDir Path tmp)
            throws IOException, InterruptedException {
        Path marker = tmp.resolve("pwned");
        NodeSpec odd = new NodeSpec("pg1", "10.0.0.1", CLUSTER.nodes().get(0).ssh(), "/usr/lib/postgresql/15/bin",
                "/srv/it's $(touch " + marker + ") 50%p", 5432);
        List<String> argv = List.of("pgbackrest", "--config=" + ConfigFiles.pgbackrestConfPath(odd),
                "--stanza=test-scenario", "archive-push");
        String command = ConfigFiles.archiveCommand(argv);
        assertEquals("pgbackrest '--config=/srv/it'\\''s $(touch " + marker + ") 50%%p.pgrds/pgbackrest.conf' "
                + "--stanza=test-scenario archive-push %p", command);
        // what PostgreSQL does: %p is the segment's path, %% a percent sign; then sh runs it
        String run = substitute(command, "pg_wal/000000010000000000000001");
        Process p = new ProcessBuilder("sh", "-c", run.replaceFirst("^pgbackrest ", "printf '%s\\\\n' "))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals(List.of("--config=/srv/it's $(touch " + marker + ") 50%p.pgrds/pgbackrest.conf",
                "--stanza=test-scenario", "archive-push", "pg_wal/000000010000000000000001"), out.lines().toList());
        assertFalse(Files.exists(marker), "nothing ran");
    }

    @Test
    void theStandbyFileIsWhatTheExecutorWritesTodayForOrdinaryValues() {
        NodeSpec pg1 = CLUSTER.node("pg1").orElseThrow();
        NodeSpec pg2 = CLUSTER.node("pg2").orElseThrow();
        String passfile = "/var/lib/pgrds/test-scenario/data.pgrds/secrets/pgpass";
        assertEquals("# Written by pgrds: where this standby streams from.\n"
                + "primary_conninfo = 'host=10.0.0.1 port=5432 user=replicator passfile=" + passfile
                + " application_name=pg2'\n", ConfigFiles.standbyConf(pg2, Optional.of(pg1), passfile));
        assertEquals("# Written by pgrds: this node is not a standby.\n",
                ConfigFiles.standbyConf(pg1, Optional.empty(), passfile));
    }

    @Test
    void aConninfoValueWithSpacesQuotesOrBackslashesIsQuotedTheLibpqWay() {
        Map<String, String> ci = new LinkedHashMap<>();
        ci.put("host", "db.example.com");
        ci.put("application_name", "it's a \\ test");
        ci.put("options", "");
        ci.put("passfile", "/srv/pg1/data.pgrds/secrets/pgpass");
        assertEquals("host=db.example.com application_name='it\\'s a \\\\ test' options='' "
                + "passfile=/srv/pg1/data.pgrds/secrets/pgpass", ConfigFiles.conninfo(ci));
        // in the standby file the conninfo is then one postgresql.conf value: ' doubled, \ doubled
        NodeSpec pg1 = CLUSTER.node("pg1").orElseThrow();
        NodeSpec odd = new NodeSpec("it's me", "10.0.0.3", pg1.ssh(), pg1.binDir(), "/srv/x", 5432);
        assertEquals("primary_conninfo = 'host=10.0.0.1 port=5432 user=replicator passfile=/p "
                + "application_name=''it\\\\''s me'''", ConfigFiles.standbyConf(odd, Optional.of(pg1), "/p")
                .lines().toList().get(1));
        assertThrows(IllegalArgumentException.class, () -> ConfigFiles.conninfo(Map.of("host", "a\nb")));
        assertThrows(IllegalArgumentException.class, () -> ConfigFiles.conninfo(Map.of("host x", "a")));
    }

    @Test
    void pgbackrestsIniFileRefusesAValueThatWouldStartALine() {
        DesiredCluster backed = ScenarioDesired.parse("""
                repositories: {main: {type: posix, path: /var/lib/pgbackrest}}
                backup: {repository: main}
                nodes: [{name: pg1, host: 10.0.0.1}]
                """);
        BackupSpec b = backed.backup().orElseThrow();
        DesiredCluster bad = new DesiredCluster(backed.id(), backed.file(), backed.transport(), backed.postgres(),
                backed.nodes(), backed.primary(), backed.bootstrap(), Optional.of(new BackupSpec(new Repository.Posix(
                "main", "/var/lib/pgbackrest\nrepo1-path=/tmp"), b.schedule(), b.retention(), false)),
                backed.service(), backed.policy(), List.of());
        assertEquals("the pgBackRest option repo1-path cannot hold a line feed (U+000A): "
                + "\"/var/lib/pgbackrest\\nrepo1-path=/tmp\"", assertThrows(IllegalArgumentException.class,
                () -> ConfigFiles.pgbackrestConf(bad, bad.nodes().get(0))).getMessage());
    }

    /** PostgreSQL's reading of archive_command, left to right: %p the path, %% a percent sign. */
    static String substitute(String command, String path) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == '%' && i + 1 < command.length()) {
                char next = command.charAt(++i);
                b.append(next == 'p' ? path : next == '%' ? "%" : "%" + next);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static DesiredCluster with(DesiredCluster c, PostgresSettings postgres) {
        return new DesiredCluster(c.id(), c.file(), c.transport(), postgres, c.nodes(), c.primary(), c.bootstrap(),
                c.backup(), c.service(), c.policy(), c.formerNodes());
    }
}
