package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.error.ErrorCode;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import io.pgrds.util.Json;
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
    void aRestoreThatFailedHalfWayIsPlannedAndDoneAgainFromTheStart() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        sourceWithBatchesAroundABackup(a);

        // a restore point that does not exist: recovery ends without reaching it and the server stops
        fleet.commit(CLONE, cluster(List.of(b), "bootstrap: {restore: {from: " + SOURCE + ", target: {name: "
                + "no-such-point}}}\n"));
        Cli.Run failed = pgrds("apply", "--auto-approve", CLONE);
        assertEquals(ErrorCode.APPLY_FAILED.exitCode(), failed.exit(), failed.toString());
        assertTrue(failed.toString().contains("recovery ended before configured recovery target was reached")
                && failed.toString().contains("apply again, it is restored afresh"), failed.toString());
        assertTrue(Files.exists(Path.of(b.dataDirectory() + ".pgrds/creating")), "flagged as being created");

        // the half-made copy is pgrds's own: the node reads the source's backups again and the restore starts over
        fleet.commit(CLONE, cluster(List.of(b), "bootstrap: {restore: {from: " + SOURCE + ", target: latest}}\n"));
        Cli.Run planned = ok("plan", CLONE);
        assertTrue(planned.out().contains("restore primary " + b.name() + "   from " + SOURCE + " (backup "),
                planned.out());
        ok("apply", "--auto-approve", CLONE);
        assertEquals("1,2", batches(b));
        assertEquals("f", sql(b, "select pg_is_in_recovery()"));
        assertFalse(Files.exists(Path.of(b.dataDirectory() + ".pgrds/creating")));
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

    /** Waits until the archiver's latest attempt failed, with segments waiting. */
    private void awaitFailedArchive(TestNode primary) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (sql(primary, "select last_failed_time > coalesce(last_archived_time, '-infinity') "
                    + "from pg_stat_archiver").equals("t")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("archiving did not fail within 30 s: "
                + sql(primary, "select * from pg_stat_archiver"));
    }

    /** A node's row of the status table. */
    private static String row(Cli.Run status, TestNode n) {
        return status.out().lines().filter(l -> l.startsWith("  " + n.name() + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(status.out()));
    }

    @Test
    void aRepositoryThatRefusesWalIsReportedByStatusAndPlanUntilItIsRepaired() throws Exception {
        TestNode a = hosts.node(0);
        fleet.commit(SOURCE, cluster(List.of(a), ""));
        ok("apply", "--auto-approve");
        writeBatch(a, 1);
        archiveNow(a);
        Cli.Run healthy = ok("status");
        assertTrue(row(healthy, a).matches(".*\\sok\\s+no$"), healthy.out());

        // the repository stops taking WAL (as a full or read-only file system would) while the primary writes on
        hosts.run("chmod", "000", stored().toString());
        try {
            for (int batch = 2; batch <= 4; batch++) {
                writeBatch(a, batch);
                sql(a, "select pg_switch_wal()");
            }
            awaitFailedArchive(a);

            Cli.Run status = pgrds("status");
            assertEquals(1, status.exit(), status.toString());
            assertTrue(row(status, a).matches(".*\\sFAILING\\s+no$"), status.out());
            String line = status.out().lines().filter(l -> l.startsWith("  " + a.name() + ": archiving failing: "))
                    .findFirst().orElseThrow(() -> new AssertionError(status.out()));
            assertTrue(line.matches(".*: nothing archived since 20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(.* ago\\), "
                    + "the last attempt failed at 20.* UTC on 0000000100000000000000[0-9A-F]{2}; \\d+ WAL segments "
                    + "\\(\\d+\\.\\d MiB\\) wait in pg_wal \\(.* in all\\), .* of .* free on /.*"), line);
            String summary = status.out().lines().reduce((x, y) -> y).orElseThrow();
            assertTrue(summary.startsWith("  ✗ archiving from " + a.name() + " is failing"), status.out());

            JsonNode json = Json.mapper().readTree(pgrds("status", "--json").out());
            JsonNode archive = json.path("clusters").get(0).path("nodes").get(0).path("archive");
            assertEquals("failing", archive.path("state").asText(), json.toPrettyString());
            assertTrue(archive.path("ready_segments").asInt() >= 3, archive.toPrettyString());
            assertTrue(archive.path("failed_count").asInt() >= 1, archive.toPrettyString());
            assertFalse(json.path("clusters").get(0).path("healthy").asBoolean());

            Cli.Run plan = ok("plan");
            assertTrue(plan.out().contains("  Warning: Archiving from primary " + a.name() + " is failing"),
                    plan.out());
            assertTrue(plan.out().contains("Check repository main (" + stored() + " on " + a.name() + "): full, "
                    + "missing, unmounted or not writable by postgres?"), plan.out());
            assertTrue(plan.out().contains("No changes."), "a warning, not an action: " + plan.out());
            JsonNode planJson = Json.mapper().readTree(ok("plan", "--json").out());
            assertTrue(planJson.path("clusters").get(0).path("warnings").get(0).asText()
                    .startsWith("Archiving from primary " + a.name() + " is failing"), planJson.toPrettyString());
        } finally {
            hosts.run("chmod", "0750", stored().toString());
        }

        // repaired: the next segment wakes the archiver, which archives the backlog, and status is clean again
        writeBatch(a, 5);
        archiveNow(a);
        Cli.Run repaired = ok("status");
        assertTrue(row(repaired, a).matches(".*\\sok\\s+no$"), repaired.out());
        assertFalse(ok("plan").out().contains("Warning:"));
    }

    private void awaitBatch(TestNode standby, int batch) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try {
                if (sql(standby, "select count(*) from batches where batch = " + batch).equals("1")) {
                    return;
                }
            } catch (RuntimeException e) {
                // table not replicated yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("batch " + batch + " never reached " + standby);
    }

    /** The timeline the node writes WAL on now (its last checkpoint's may still be the one before a promote). */
    private String timeline(TestNode n) {
        return Integer.toString(Integer.parseInt(sql(n, "select pg_walfile_name(pg_current_wal_lsn())")
                .substring(0, 8), 16));
    }

    /** {@code pgbackrest check} on a node, with the configuration pgrds wrote there: the archive takes its WAL. */
    private static String pgbackrestCheck(TestNode n, String stanza) {
        return hosts.run("runuser", "-u", "postgres", "--", "pgbackrest", "--config=" + n.dataDirectory()
                + ".pgrds/pgbackrest.conf", "--stanza=" + stanza, "check");
    }

    /** The newest archived WAL segment of the source's stanza, as pgrds backups --json shows it. */
    private String archivedUpTo() throws Exception {
        Cli.Run json = ok("backups", SOURCE, "--json");
        return io.pgrds.util.Json.mapper().readTree(json.out()).path("restorable").path("to_wal").asText("");
    }

    /** A two-node source cluster with a as its pinned primary and a full backup. */
    private void backedUpPair(TestNode a, TestNode b) {
        fleet.commit(SOURCE, cluster(List.of(a, b), a, ""));
        ok("apply", "--auto-approve");
        ok("backup", SOURCE, "--type", "full");
    }

    @Test
    void afterASwitchoverTheNewPrimaryArchivesItsTimelineAndARestoreHasTheBatchesFromBeforeAndAfter()
            throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        TestNode c = hosts.node(2);
        backedUpPair(a, b);
        writeBatch(a, 1);
        awaitBatch(b, 1);

        fleet.commit(SOURCE, cluster(List.of(a, b), b, "")); // the pin moves: a planned switchover
        Cli.Run switched = ok("apply", "--auto-approve");
        assertTrue(switched.out().contains("switchover      " + a.name() + " → " + b.name()), switched.out());
        assertEquals("f", sql(b, "select pg_is_in_recovery()"));
        assertEquals("2", timeline(b));
        writeBatch(b, 2);
        archiveNow(b);

        List<String> archive = archived("orderdata-integration");
        assertTrue(archive.contains("00000002.history"), "the new timeline's history is archived: " + archive);
        assertTrue(archive.stream().anyMatch(f -> f.startsWith("00000001") && f.contains(".partial")),
                "the old timeline's last segment is archived as .partial by the new primary: " + archive);
        String upTo = archivedUpTo();
        assertTrue(upTo.startsWith("00000002"), "the archive goes on past the switchover on timeline 2: " + upTo);
        pgbackrestCheck(b, "orderdata-integration"); // fails unless the new primary's WAL reaches the archive
        assertTrue(ok("plan", "--detailed-exitcode", SOURCE).out().contains("no action"),
                "nothing about backups is left to configure after the switchover");

        fleet.commit(CLONE, cluster(List.of(c), "bootstrap: {restore: {from: " + SOURCE + ", target: {latest: "
                + "true}}}\n"));
        Cli.Run restored = ok("apply", "--auto-approve", CLONE);
        assertTrue(restored.out().contains("restore primary " + c.name() + " from " + SOURCE + " (backup "
                + label(ok("backups", SOURCE, "--json").out()) + ", latest)"),
                restored.out());
        assertEquals("1,2", batches(c), "the batch written on the new primary after the switchover is restored");
        assertEquals("f", sql(c, "select pg_is_in_recovery()"));
    }

    @Test
    void afterAFailoverThePromotedStandbyArchivesItsTimelineAndARestoreHasEveryBatch() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        TestNode c = hosts.node(2);
        backedUpPair(a, b);
        writeBatch(a, 1);
        awaitBatch(b, 1);
        hosts.reset(a); // the primary's server is lost; it leaves the file and the standby is promoted
        fleet.commit(SOURCE, cluster(List.of(b), ""));
        Cli.Run promoted = ok("apply", "--auto-approve");
        assertTrue(promoted.out().contains("promote " + b.name()), promoted.out());
        assertEquals("2", timeline(b));
        writeBatch(b, 2);
        archiveNow(b);
        String upTo = archivedUpTo();
        assertTrue(upTo.startsWith("00000002"), "the archive goes on past the failover on timeline 2: " + upTo);
        pgbackrestCheck(b, "orderdata-integration");

        fleet.commit(CLONE, cluster(List.of(c), "bootstrap: {restore: {from: " + SOURCE + "}}\n"));
        Cli.Run restored = ok("apply", "--auto-approve", CLONE);
        assertEquals("1,2", batches(c));
        assertFalse(restored.out().contains("segments in between are missing"), restored.out());
        assertTrue(promoted.out().contains(b.name() + " now archives into stanza orderdata-integration from its "
                + "new timeline. WAL the lost primary had not archived yet is not in the archive: take a full "
                + "backup now"), promoted.out());
    }

    @Test
    void aRestoreToLatestThatStopsAtAGapInTheArchiveSaysSo() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        TestNode c = hosts.node(2);
        backedUpPair(a, b);
        // the primary's archiving breaks, then it dies: the segment it could not archive is in no archive (a
        // standby does not archive what it receives: pgBackRest refuses archive_mode = always)
        sql(a, "alter system set archive_command = '/bin/false'");
        sql(a, "select pg_reload_conf()");
        writeBatch(a, 1);
        sql(a, "select pg_switch_wal()");
        awaitBatch(b, 1);
        hosts.reset(a);
        fleet.commit(SOURCE, cluster(List.of(b), ""));
        ok("apply", "--auto-approve");
        writeBatch(b, 2);
        archiveNow(b);

        fleet.commit(CLONE, cluster(List.of(c), "bootstrap: {restore: {from: " + SOURCE + "}}\n"));
        Cli.Run restored = ok("apply", "--auto-approve", CLONE);
        assertTrue(restored.out().contains("segments in between are missing, typically WAL a lost primary of "
                + SOURCE + " never archived before a failover. " + CLONE + " has the data up to the last "
                + "transaction before that gap, not the latest."), restored.out());
        assertEquals("f", sql(c, "select pg_is_in_recovery()"), "the restored cluster is up, with what it has");
    }

}
