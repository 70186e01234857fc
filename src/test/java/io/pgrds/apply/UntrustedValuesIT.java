package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.NodeSpec;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.plan.ConfigFiles;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import io.pgrds.testing.HarnessCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant I4 on a real node: values a cluster file may hold that a shell, PostgreSQL's configuration lexer,
 * pg_hba.conf or libpq would read as more than text reach the node as exactly that text, and nothing runs.
 */
class UntrustedValuesIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(1);

    @TempDir
    Path tmp;

    private String marker;
    private Path data;
    private Path repository;

    @BeforeEach
    void prepare() {
        marker = "/tmp/pwned-" + UUID.randomUUID().toString().substring(0, 8);
        TestNode n = hosts.node(0);
        // legal, and odd: every character a path segment may hold besides letters and digits
        data = n.dir().resolve("pg+it@v1.x_y-z").resolve("data.d");
        repository = hosts.root().resolve("repo+sitory@x");
        hosts.tryRun("rm", "-rf", repository.toString());
        hosts.run("install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0750", repository.toString());
    }

    @AfterEach
    void stop() {
        TestNode n = hosts.node(0);
        hosts.tryRun("runuser", "-u", "postgres", "--", n.binDir() + "/pg_ctl", "stop", "-D", data.toString(), "-m",
                "immediate", "-w", "-s");
        hosts.tryRun("rm", "-rf", data.getParent().toString(), repository.toString(), marker);
    }

    @Test
    void hostileButValidValuesReachARealNodeAsExactlyTheirTextAndNothingRuns() throws IOException {
        TestNode n = hosts.node(0);
        List<String> pwnedBefore = pwned();
        // at most 63 characters: PostgreSQL cuts application_name there
        String applicationName = "it's a \\ test $(touch " + marker + ") `id` ; | & %p";
        String searchPath = "\"$user\", public, \"it's a \\ $(touch " + marker + ")\"";
        String yaml = HarnessCluster.yaml(hosts, List.of(n), "max_connections: 20, application_name: "
                        + doubleQuoted(applicationName) + ", search_path: " + doubleQuoted(searchPath))
                .replace("dataDirectory: " + n.dataDirectory(), "dataDirectory: " + data)
                .replace("  hba:\n", "  hba:\n"
                        + "    - {type: host, database: '\"it''s db\",app', user: '+admins,\"we ird, #1\"', "
                        + "address: 127.0.0.0/8, method: scram-sha-256}\n"
                        + "    - {type: local, database: '\"my db\"', user: all, method: peer}\n")
                + "repositories: {main: {type: posix, path: " + repository + "}}\n"
                + "backup: {repository: main}\n";
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", yaml);
        Cli.Run validate = Cli.run("--repo", fleet.dir().toString(), "validate");
        assertEquals(0, validate.exit(), validate.toString());

        // apply creates the cluster and configures backups: pgbackrest check makes PostgreSQL run archive_command,
        // whose paths come from the data directory, through sh
        Cli.Run applied = Cli.run("--repo", fleet.dir().toString(), "apply", "--auto-approve");
        assertEquals(0, applied.exit(), applied.toString());
        assertEquals("f", sql(n, "select pg_is_in_recovery()"));
        assertTrue(applied.out().contains("configure backup"), applied.out());
        // and read back by pgrds as exactly what it wrote: nothing left to change
        Cli.Run again = Cli.run("--repo", fleet.dir().toString(), "plan", "--detailed-exitcode");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("No changes."), again.out());

        // the configuration file read back by PostgreSQL itself: exactly the value, applied, no error
        assertEquals(applicationName + "|t|t", sql(n, "select setting, applied, error is null from pg_file_settings "
                + "where name = 'application_name'"));
        assertEquals(searchPath, sql(n, "show search_path"));
        String archiveCommand = sql(n, "show archive_command");
        assertTrue(archiveCommand.startsWith("pgbackrest --config=" + data + ".pgrds/pgbackrest.conf "),
                archiveCommand);
        assertEquals("0", sql(n, "select failed_count from pg_stat_archiver"));
        assertTrue(Integer.parseInt(sql(n, "select archived_count from pg_stat_archiver")) > 0, "WAL archived");

        // pg_hba.conf: one line a rule, each rule exactly its fields, none in error
        List<String> rules = List.of(
                "local|{all}|{postgres}||peer|",
                "local|{all}|{all}||scram-sha-256|",
                "host|{all}|{pgrds}|127.0.0.1|scram-sha-256|",
                "host|{all}|{pgrds}|::1|scram-sha-256|",
                "host|{all}|{pgrds}|127.0.0.0|scram-sha-256|",
                "host|{replication}|{replicator}|127.0.0.0|scram-sha-256|",
                "host|{\"it's db\",app}|{+admins,\"we ird, #1\"}|127.0.0.0|scram-sha-256|",
                "local|{\"my db\"}|{all}||peer|",
                "host|{all}|{all}|127.0.0.0|scram-sha-256|");
        assertEquals(rules, sql(n, "select type, database, user_name, coalesce(address, ''), auth_method, "
                + "coalesce(error, '') from pg_hba_file_rules order by line_number").lines().toList());
        List<String> hbaLines = Files.readAllLines(data.resolve("pg_hba.conf")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertEquals(rules.size(), hbaLines.size(), String.join("\n", hbaLines));

        // libpq reads pgrds's connection strings as pgrds means them: a client connecting with one, and PostgreSQL
        // reading the standby file pgrds renders
        Map<String, String> ci = new LinkedHashMap<>();
        ci.put("host", data + ".pgrds/run");
        ci.put("port", Integer.toString(n.pgPort()));
        ci.put("user", "postgres");
        ci.put("dbname", "postgres");
        ci.put("application_name", applicationName);
        assertEquals(applicationName, hosts.run("runuser", "-u", "postgres", "--", n.binDir() + "/psql", "-X", "-A",
                "-t", "-q", "-d", ConfigFiles.conninfo(ci), "-c", "show application_name").strip());
        NodeSpec odd = new NodeSpec(applicationName, n.address(), n.ssh(), n.binDir(), data.toString(), n.pgPort());
        String passfile = data + ".pgrds/secrets/pgpass";
        Path standby = tmp.resolve("standby.conf");
        Files.writeString(standby, ConfigFiles.standbyConf(odd, Optional.of(odd), passfile));
        hosts.run("install", "-o", "postgres", "-g", "postgres", "-m", "0600", standby.toString(),
                data.resolve(ConfigFiles.STANDBY_CONF).toString());
        Map<String, String> want = new LinkedHashMap<>();
        want.put("host", n.address());
        want.put("port", Integer.toString(n.pgPort()));
        want.put("user", "replicator");
        want.put("passfile", passfile);
        want.put("application_name", applicationName);
        assertEquals(ConfigFiles.conninfo(want) + "|t", sql(n, "select setting, error is null from pg_file_settings "
                + "where name = 'primary_conninfo'"));

        // nothing ran: not the marker, and no other /tmp/pwned-* appeared
        assertFalse(Files.exists(Path.of(marker)), marker);
        assertEquals(pwnedBefore, pwned());
    }

    /** A YAML double-quoted scalar: {@code \} and {@code "} escaped. */
    private static String doubleQuoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static List<String> pwned() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("/tmp"))) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("pwned-")).sorted().toList();
        }
    }

    /** SQL as postgres through pgrds's socket directory beside the data directory; unaligned, tuples only. */
    private String sql(TestNode n, String sql) {
        return hosts.run("runuser", "-u", "postgres", "--", n.binDir() + "/psql", "-X", "-A", "-t", "-q", "-h",
                data + ".pgrds/run", "-p", Integer.toString(n.pgPort()), "-U", "postgres", "-d", "postgres", "-c",
                sql).strip();
    }
}
