package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.ErrorCode;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import io.pgrds.testing.HarnessCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups and restores with pgBackRest, applied by pgrds over real SSH to real PostgreSQL servers: the original
 * project's backup scenarios, with data written in batches. Each repository type runs them all: {@link BackupIT}
 * (posix, a directory on this machine) and {@link BackupS3IT} (s3, a real S3-compatible server over TLS).
 */
abstract class BackupScenarios {
    static final String SOURCE = "orderdata/integration";
    static final String CLONE = "orderdata/restored";

    @TempDir
    Path tmp;

    FleetRepo fleet;

    /** The harness nodes (three). */
    abstract TestHosts hosts();

    /** The repository named main, one {@code name: {...}} entry for the YAML's repositories. */
    abstract String repositoryYaml();

    /** Where pgBackRest's repository (its archive/ and backup/ directories) lies as files on this machine. */
    abstract Path stored();

    /** Makes the repository empty before each test. */
    abstract void emptyRepository();

    @BeforeEach
    void freshNodes() {
        hosts().nodes().forEach(hosts()::reset);
        for (TestNode n : hosts().nodes()) {
            hosts().tryRun("rm", "-rf", n.dataDirectory() + ".pgrds");
        }
        fleet = new FleetRepo(tmp.resolve("fleet"));
        emptyRepository();
    }

    @AfterEach
    void stopEverything() {
        hosts().nodes().forEach(hosts()::reset);
    }

    // ---- helpers ----

    String cluster(List<TestNode> nodes, String extra) {
        return cluster(nodes, nodes.get(0), extra);
    }

    String cluster(List<TestNode> nodes, TestNode primary, String extra) {
        StringBuilder y = new StringBuilder(HarnessCluster.yaml(hosts(), nodes, "max_connections: 50"));
        y.append("primary: ").append(primary.name()).append('\n');
        y.append("repositories: {").append(repositoryYaml()).append("}\n");
        y.append("backup: {repository: main, retention: {full: 2}}\n");
        return y.append(extra).toString();
    }

    Cli.Run pgrds(String... args) {
        return Cli.inRepo(fleet.dir(), args);
    }

    Cli.Run ok(String... args) {
        Cli.Run r = pgrds(args);
        assertEquals(0, r.exit(), r + "\n" + hosts().diagnostics());
        return r;
    }

    String sql(TestNode n, String sql) {
        return HarnessCluster.sql(hosts(), n, sql);
    }

    void writeBatch(TestNode primary, int batch) {
        sql(primary, "create table if not exists batches (batch int primary key, at timestamptz default now())");
        sql(primary, "insert into batches (batch) values (" + batch + ")");
    }

    String batches(TestNode n) {
        return sql(n, "select string_agg(batch::text, ',' order by batch) from batches");
    }

    /**
     * Switches to a new WAL segment and waits until the finished one is in the archive. Only segment names count
     * (timeline first, so a later timeline sorts after an earlier one): after a promotion the last archived file
     * may be the old timeline's {@code .partial} segment or the new timeline's history file.
     */
    void archiveNow(TestNode primary) throws InterruptedException {
        String segment = sql(primary, "select pg_walfile_name(pg_switch_wal())");
        for (int i = 0; i < 300; i++) {
            String last = sql(primary, "select coalesce(last_archived_wal, '') from pg_stat_archiver");
            if (last.length() == segment.length() && last.compareTo(segment) >= 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(segment + " was not archived within 30 s: "
                + sql(primary, "select * from pg_stat_archiver"));
    }

    List<String> archived(String stanza) throws Exception {
        Path dir = stored().resolve("archive").resolve(stanza);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The source cluster on one node, made by apply: batch 1, a backup, batch 2, and the WAL of batch 2 archived, so
     * that a restore to latest needs the archive too.
     */
    void sourceWithBatchesAroundABackup(TestNode a) throws Exception {
        fleet.commit(SOURCE, cluster(List.of(a), ""));
        ok("apply", "--auto-approve");
        writeBatch(a, 1);
        ok("backup", SOURCE);
        writeBatch(a, 2);
        archiveNow(a);
    }

    /** The label of the newest backup in the JSON of {@code pgrds backups --json}. */
    static String label(String json) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"label\" : \"([^\"]+)\"").matcher(json);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        assertNotNull(last, json);
        return last;
    }

    // ---- scenarios ----

    @Test
    void aWipedClusterComesBackAsANewClusterRestoredFromItsBackupsWithEveryBatch() throws Exception {
        TestNode a = hosts().node(0);
        TestNode b = hosts().node(1);
        fleet.commit(SOURCE, cluster(List.of(a), ""));
        Cli.Run applied = ok("apply", "--auto-approve");
        assertTrue(applied.out().contains("configure backup stanza orderdata-integration on repository main"),
                applied.out());
        assertEquals("on", sql(a, "show archive_mode"));
        Cli.Run again = ok("plan", "--detailed-exitcode");
        assertTrue(again.out().contains("no action"), again.out());

        writeBatch(a, 1);
        writeBatch(a, 2);
        Cli.Run backup = ok("backup", SOURCE, "--type", "full");
        assertTrue(backup.out().contains("full backup from " + a.name()), backup.out());
        writeBatch(a, 3);
        writeBatch(a, 4);
        archiveNow(a);
        Cli.Run list = ok("backups", SOURCE);
        assertTrue(list.out().contains("full") && list.out().contains("restorable: from "), list.out());
        Cli.Run json = ok("backups", SOURCE, "--json");
        assertTrue(json.out().contains("\"type\" : \"full\""), json.out());

        String first = label(json.out());

        // the plan names the backup it restores, read from the repository by the node to restore into; a saved
        // plan restores exactly that one even when a newer backup has been taken since
        fleet.commit(CLONE, cluster(List.of(b), "bootstrap: {restore: {from: " + SOURCE + "}}\n"));
        Path saved = tmp.resolve("restore.plan");
        Cli.Run planned = ok("plan", "--out", saved.toString(), CLONE);
        assertTrue(planned.out().contains("restore primary " + b.name() + "   from " + SOURCE + " (backup " + first
                + ", latest)"), planned.out());
        assertTrue(planned.out().contains("backup " + first + " (full, ended "), planned.out());
        ok("backup", SOURCE, "--type", "full");
        assertNotEquals(first, label(ok("backups", SOURCE, "--json").out()), "a newer backup exists");
        hosts().reset(a); // the source cluster is wiped: only the repository is left
        Cli.Run restored = ok("apply", saved.toString(), "--auto-approve");
        assertTrue(restored.out().contains("restore primary " + b.name() + " from " + SOURCE + " (backup " + first
                + ", latest)"), restored.out());
        String restoreLog = Files.readString(Path.of(b.dataDirectory() + ".pgrds/pgbackrest/log/"
                + "orderdata-integration-restore.log"));
        assertTrue(restoreLog.contains("--set=" + first) && restoreLog.contains("restore backup set " + first),
                restoreLog);
        assertEquals("1,2,3,4", batches(b));
        assertEquals("f", sql(b, "select pg_is_in_recovery()"));
        assertEquals("", sql(b, "select coalesce(current_setting('restore_command'), '')"),
                "the source's restore_command is not left behind for standbys cloned from this node");
        Cli.Run cloneBackups = ok("backups", CLONE);
        assertTrue(cloneBackups.out().contains("stanza orderdata-restored"), cloneBackups.out());
        assertTrue(ok("plan", "--detailed-exitcode", CLONE).out().contains("no action"));
    }

    @Test
    void aPointInTimeRestoreHasExactlyTheBatchesBeforeItWhileTheSourceKeepsArchivingToItsOwnStanza()
            throws Exception {
        TestNode a = hosts().node(0);
        TestNode b = hosts().node(1);
        TestNode c = hosts().node(2);
        fleet.commit(SOURCE, cluster(List.of(a), ""));
        ok("apply", "--auto-approve");
        writeBatch(a, 1);
        ok("backup", SOURCE);
        writeBatch(a, 2);
        Thread.sleep(1500);
        String target = sql(a, "select now()");
        Thread.sleep(1500);
        writeBatch(a, 3);
        archiveNow(a);

        fleet.commit(CLONE, cluster(List.of(b, c), "bootstrap: {restore: {from: " + SOURCE + ", target: {time: '"
                + target + "'}}}\n"));
        Cli.Run restored = ok("apply", "--auto-approve", CLONE);
        assertTrue(restored.out().contains("clone standby"), restored.out());
        assertEquals("1,2", batches(b));
        assertEquals("1,2", batches(c));
        assertEquals("t", sql(c, "select pg_is_in_recovery()"));

        // the source goes on and archives into its own stanza; the clone archives only into its own
        writeBatch(a, 4);
        archiveNow(a);
        writeBatch(b, 10);
        archiveNow(b);
        assertEquals("1,2,3,4", batches(a));
        List<String> source = archived("orderdata-integration");
        List<String> clone = archived("orderdata-restored");
        assertFalse(source.stream().anyMatch(f -> f.startsWith("00000002")), "the clone wrote into the source's "
                + "archive: " + source);
        assertTrue(clone.stream().anyMatch(f -> f.startsWith("00000002")), "the clone does not archive: " + clone);
    }

    @Test
    void theRestoreDrillPassesOnAGoodBackupAndFailsClearlyOnACorruptedOne() throws Exception {
        TestNode a = hosts().node(0);
        sourceWithBatchesAroundABackup(a);

        Cli.Run good = ok("verify-backup", SOURCE);
        assertTrue(good.out().contains("restored on " + a.name() + " and opened; last transaction 20"), good.out());
        assertFalse(Files.exists(Path.of(a.dataDirectory() + ".pgrds/verify")), "the scratch copy is removed");
        assertEquals("1,2", batches(a), "the cluster itself is untouched");

        Path control;
        try (Stream<Path> files = Files.walk(stored().resolve("backup/orderdata-integration"))) {
            control = files.filter(p -> p.toString().contains("pg_data/global/pg_control")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(control);
        for (int i = bytes.length / 4; i < bytes.length / 2; i++) {
            bytes[i] = (byte) (bytes[i] ^ 0x5a);
        }
        Files.write(control, bytes);
        Cli.Run bad = pgrds("verify-backup", SOURCE);
        assertEquals(ErrorCode.APPLY_FAILED.exitCode(), bad.exit(), bad.toString());
        assertTrue(bad.err().contains("the restore drill of " + SOURCE + " on " + a.name() + " failed"), bad.err());
        assertFalse(Files.exists(Path.of(a.dataDirectory() + ".pgrds/verify")), "the scratch copy is removed");
        Cli.Run history = ok("history", SOURCE);
        assertTrue(history.out().contains("failed  verify-backup"), history.out());
        assertTrue(history.out().contains("done  verify-backup"), history.out());
    }

    @Test
    void aRestoreThatNoBackupCanReachIsRefusedAtPlanTimeAndChangesNothing() throws Exception {
        TestNode a = hosts().node(0);
        TestNode b = hosts().node(1);
        // no backup yet: the plan says so, and what to do
        fleet.commit(SOURCE, cluster(List.of(a), ""));
        ok("apply", "--auto-approve");
        String before = sql(a, "select to_char(now() - interval '1 hour', 'YYYY-MM-DD HH24:MI:SSOF')");
        fleet.commit(CLONE, cluster(List.of(b), "bootstrap: {restore: {from: " + SOURCE + "}}\n"));
        Cli.Run none = pgrds("plan", CLONE);
        assertEquals(ErrorCode.PLAN_REFUSED.exitCode(), none.exit(), none.toString());
        assertTrue(none.out().contains("refused NO_BACKUP_FOR_TARGET") && none.out().contains(SOURCE + " has no "
                + "backup in repository main") && none.out().contains("pgrds backup " + SOURCE), none.out());

        // a time before the only backup ends: refused before anything is written, naming the oldest backup
        ok("backup", SOURCE);
        String label = label(ok("backups", SOURCE, "--json").out());
        fleet.commit(CLONE, cluster(List.of(b), "bootstrap: {restore: {from: " + SOURCE + ", target: {time: '"
                + before + "'}}}\n"));
        Cli.Run early = pgrds("apply", "--auto-approve", CLONE);
        assertEquals(ErrorCode.PLAN_REFUSED.exitCode(), early.exit(), early.toString());
        assertTrue(early.out().contains("refused NO_BACKUP_FOR_TARGET") && early.out().contains(label)
                && early.out().contains("Recovery cannot stop before its backup ends"), early.out());
        assertFalse(Files.exists(b.dataDirectory()) && Files.list(b.dataDirectory()).findAny().isPresent(),
                "nothing was restored");
        assertFalse(Files.exists(Path.of(b.dataDirectory() + ".pgrds/creating")), "no restore was begun");
    }

    @Test
    void aRestoreIsRefusedIntoANonEmptyDataDirectory() throws Exception {
        TestNode a = hosts().node(0);
        TestNode b = hosts().node(1);
        fleet.commit(SOURCE, cluster(List.of(a), ""));
        hosts().run("install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0700", b.dataDirectory().toString());
        hosts().run("runuser", "-u", "postgres", "--", "sh", "-c", "echo precious > \"$1\"/notes.txt", "sh",
                b.dataDirectory().toString());
        fleet.commit(CLONE, cluster(List.of(b), "bootstrap: {restore: {from: " + SOURCE + "}}\n"));
        Cli.Run r = pgrds("apply", "--auto-approve", CLONE);
        assertEquals(ErrorCode.PLAN_REFUSED.exitCode(), r.exit(), r.toString());
        assertTrue(r.out().contains("NODE_UNKNOWN") || r.err().contains("NODE_UNKNOWN"), r.toString());
        assertEquals("precious", Files.readString(b.dataDirectory().resolve("notes.txt")).strip());
    }
}
