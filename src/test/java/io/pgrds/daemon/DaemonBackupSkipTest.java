package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import io.pgrds.testing.FleetRepo;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.ShellOptions;
import io.pgrds.util.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scheduled backup that finds another backup of its cluster running is reported as skipped, not as a failure,
 * and leaves the last backup as it was: on a node answered by a script (a running primary whose pgBackRest says
 * what the test wants).
 */
class DaemonBackupSkipTest {
    private static final ClusterId ID = ClusterId.parse("orderdata/integration");
    private static final String LOCKED = "ERROR: [050]: unable to acquire lock on file '/var/lib/pgrds/x.pgrds/"
            + "pgbackrest/lock/orderdata-integration-backup.lock': Resource temporarily unavailable\n"
            + "       HINT: is another pgBackRest process running?\n";

    @TempDir
    Path tmp;

    @Test
    void pgBackRestsLockHeldByAnotherProcessSkipsTheBackup() {
        try (Daemon daemon = daemon(backup -> new NodeShell.ExecResult(50, "", LOCKED))) {
            daemon.backup(ID, BackupType.INCR, Instant.now());
            BackupRuns incr = daemon.status(ID).orElseThrow().backups().get(BackupType.INCR);
            assertEquals(Optional.empty(), incr.last());
            assertEquals(1L, incr.skipped().get(BackupRuns.Cause.ALREADY_RUNNING));
            assertEquals("pg1: a backup of orderdata/integration is already running (pgBackRest's backup lock of "
                    + "stanza orderdata-integration is held: another pgrds backup, daemon or pgBackRest run); no incr "
                    + "backup was taken. Try again when it has finished.", incr.lastSkipped().orElseThrow().reason());
        }
    }

    @Test
    void anyOtherPgBackRestFailureIsAnError() {
        try (Daemon daemon = daemon(backup -> new NodeShell.ExecResult(50, "", "ERROR: [050]: unable to acquire "
                + "lock on file '/x/orderdata-integration-backup.lock': Permission denied\n"))) {
            daemon.backup(ID, BackupType.FULL, Instant.now());
            LastBackup full = daemon.status(ID).orElseThrow().lastBackup().orElseThrow();
            assertEquals("error", full.result());
            assertEquals(Optional.of("pg1: pgbackrest backup failed (exit 50): ERROR: [050]: unable to acquire lock on "
                    + "file '/x/orderdata-integration-backup.lock': Permission denied"), full.message());
        }
    }

    @Test
    void aTypeDueWhileThisDaemonTakesAnotherIsSkipped() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Daemon daemon = daemon(backup -> {
            started.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new NodeShell.ExecResult(0, "", "");
        })) {
            Thread full = new Thread(() -> daemon.backup(ID, BackupType.FULL, Instant.now()));
            full.start();
            assertTrue(started.await(30, TimeUnit.SECONDS));
            daemon.backup(ID, BackupType.INCR, Instant.now());
            release.countDown();
            full.join(30_000);
            ClusterStatus s = daemon.status(ID).orElseThrow();
            assertEquals("ok", s.backups().get(BackupType.FULL).last().orElseThrow().result());
            BackupRuns.Skipped skip = s.backups().get(BackupType.INCR).lastSkipped().orElseThrow();
            assertEquals(BackupRuns.Cause.ALREADY_RUNNING, skip.cause());
            assertTrue(skip.reason().matches("the full backup started at \\S+Z is still running"), skip.reason());
        }
    }

    /** A daemon over one cluster with a backup repository, on a node whose {@code pgbackrest backup} answers so. */
    private Daemon daemon(Function<NodeShell.Exec, NodeShell.ExecResult> backup) {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit(ID.toString(), "nodes: [{host: 192.0.2.1, name: pg1}]\n"
                + "repositories: {main: {type: posix, path: /var/lib/pgbackrest}}\n"
                + "backup: {repository: main}\nreconcile: {policy: observe}\n");
        return new Daemon(new Daemon.Config(fleet.dir().toString(), null, Duration.ofHours(1), null,
                Optional.empty(), Optional.empty(), tmp.resolve("cache"), ShellOptions.defaults(), 1,
                Duration.ofSeconds(5), Duration.ofSeconds(5), 2, "pgrds-test-" + System.nanoTime(), "test"),
                (transport, node, options) -> new Primary(backup)).start();
    }

    /**
     * A running primary: the probe says so (its SQL facts are out of reach, as the tunnel leads nowhere), pg_ctl
     * status succeeds, psql says it is not in recovery, pgBackRest lists nothing.
     */
    private record Primary(Function<NodeShell.Exec, NodeShell.ExecResult> backup) implements NodeShell {
        private static final String SYSID = "7000000000000000001";

        @Override
        public ExecResult exec(Exec exec) {
            List<String> argv = exec.argv();
            String program = argv.get(0);
            if (program.equals("sh") && argv.size() > 1 && argv.get(1).equals("-s")) {
                return new ExecResult(0, probe(), "");
            }
            if (program.endsWith("/pg_ctl")) {
                return new ExecResult(0, "", "");
            }
            if (program.endsWith("/psql")) {
                return new ExecResult(0, "f\n", "");
            }
            if (program.equals("pgbackrest") && argv.get(argv.size() - 1).equals("backup")) {
                return backup.apply(exec);
            }
            if (program.equals("pgbackrest") && argv.get(argv.size() - 1).equals("info")) {
                return new ExecResult(0, "[{\"name\":\"orderdata-integration\",\"backup\":[],\"archive\":[]}]", "");
            }
            return new ExecResult(1, "", "not scripted: " + argv);
        }

        @Override
        public void writeFile(String path, byte[] content, String owner, int mode) {
            throw new UnsupportedOperationException(path);
        }

        @Override
        public Endpoint tunnel(String host, int port) {
            return new Endpoint("127.0.0.1", 1); // nothing listens: no SQL facts
        }

        private static String probe() {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("name", "pg1");
            member.put("host", "192.0.2.1");
            member.put("sshPort", 22);
            member.put("sshUser", "root");
            member.put("dataDirectory", "/var/lib/pgrds/orderdata-integration/data");
            member.put("port", 5432);
            member.put("binDir", "/usr/lib/postgresql/15/bin");
            Map<String, Object> marker = new LinkedHashMap<>();
            marker.put("cluster", ID.toString());
            marker.put("systemIdentifier", SYSID);
            marker.put("deactivated", false);
            marker.put("members", List.of(member));
            marker.put("primary", "pg1");
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("binaries", true);
            f.put("dataExists", true);
            f.put("dataReadable", true);
            f.put("dataEmpty", false);
            f.put("pgVersion", "15");
            f.put("standbySignal", false);
            f.put("recoverySignal", false);
            f.put("running", true);
            f.put("controldata", "pg_control version number:            1300\nDatabase system identifier:           "
                    + SYSID + "\nDatabase cluster state:               in production\n"
                    + "Latest checkpoint's TimeLineID:       1\n");
            f.put("creating", false);
            try {
                f.put("marker", Json.mapper().writeValueAsString(marker));
                return Json.mapper().writeValueAsString(f);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String describe() {
            return "scripted";
        }

        @Override
        public void close() {
        }
    }
}
