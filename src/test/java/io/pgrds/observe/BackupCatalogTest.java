package io.pgrds.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.Bootstrap.RecoveryTarget;
import io.pgrds.desired.Bootstrap.RecoveryTarget.Kind;
import io.pgrds.desired.Repository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackupCatalogTest {
    /** Two full backups and an incremental, as pgBackRest 2.45 prints them (trimmed to the fields read). */
    private static final String INFO = """
            [{"archive":[{"database":{"id":1,"repo-key":1},"id":"15-1","max":"000000020000000000000012",
              "min":"000000010000000000000003"}],
              "backup":[
               {"archive":{"start":"000000010000000000000003","stop":"000000010000000000000003"},
                "info":{"repository":{"size":4000},"size":30000000},"label":"20261127-100000F",
                "lsn":{"start":"0/3000028","stop":"0/3000100"},"timestamp":{"start":1795773600,"stop":1795773610},
                "type":"full"},
               {"archive":{"start":"000000010000000000000008","stop":"000000010000000000000008"},
                "info":{"repository":{"size":4100},"size":30500000},"label":"20261127-110000F",
                "lsn":{"start":"0/8000028","stop":"0/8000138"},"timestamp":{"start":1795777200,"stop":1795777212},
                "type":"full"},
               {"archive":{"start":"00000002000000000000000C","stop":"00000002000000000000000C"},
                "info":{"repository":{"size":300},"size":31000000},"label":"20261127-110000F_20261127-120000I",
                "lsn":{"start":"0/C000028","stop":"0/C000100"},"timestamp":{"start":1795780800,"stop":1795780805},
                "type":"incr"}],
              "name":"orderdata-production","status":{"code":0,"message":"ok"}}]
            """;

    private static final BackupCatalog CATALOG = BackupCatalog.parse(INFO, "main");

    private static String chosen(RecoveryTarget target) {
        return CATALOG.select(target).map(BackupCatalog.Backup::label).orElse("(none)");
    }

    @Test
    void readsTheBackupsTheArchiveAndTheWindow() {
        assertEquals("orderdata-production", CATALOG.stanza());
        assertEquals(3, CATALOG.backups().size());
        BackupCatalog.Backup incr = CATALOG.backups().get(2);
        assertEquals("incr", incr.type());
        assertEquals(Instant.ofEpochSecond(1795780805), incr.stop());
        assertEquals(Optional.of(Lsn.parse("0/C000100")), incr.lsnStop());
        assertEquals(Optional.of("000000010000000000000003"), CATALOG.walMin());
        assertEquals(Optional.of("000000020000000000000012"), CATALOG.walMax());
        assertEquals(Optional.of(Instant.ofEpochSecond(1795773600)), CATALOG.windowStart());
    }

    @Test
    void latestAndANamedRestorePointStartFromTheNewestBackup() {
        assertEquals("20261127-110000F_20261127-120000I", chosen(RecoveryTarget.latest()));
        assertEquals("20261127-110000F_20261127-120000I", chosen(new RecoveryTarget(Kind.NAME, "before-migration")));
    }

    @Test
    void aTimeTargetStartsFromTheNewestBackupThatEndedInAnEarlierSecond() {
        // 1795777212 is 2026-11-27 11:00:12 UTC, when the second full backup stopped
        assertEquals("20261127-110000F", chosen(new RecoveryTarget(Kind.TIME, "2026-11-27 11:30:00+00")));
        assertEquals("20261127-110000F", chosen(new RecoveryTarget(Kind.TIME, "2026-11-27 11:00:13+00")));
        // in the very second it stopped, it may become consistent after the target: the one before
        assertEquals("20261127-100000F", chosen(new RecoveryTarget(Kind.TIME, "2026-11-27 11:00:12.9+00")));
        // the same instant in another zone
        assertEquals("20261127-110000F", chosen(new RecoveryTarget(Kind.TIME, "2026-11-27T12:30:00+01:00")));
        assertEquals("20261127-110000F_20261127-120000I", chosen(new RecoveryTarget(Kind.TIME,
                "2026-11-28 00:00:00Z")));
        assertEquals("(none)", chosen(new RecoveryTarget(Kind.TIME, "2026-11-27 10:00:05+00")));
    }

    @Test
    void anLsnTargetStartsFromTheNewestBackupConsistentAtOrBeforeIt() {
        assertEquals("20261127-110000F", chosen(new RecoveryTarget(Kind.LSN, "0/B000000")));
        assertEquals("20261127-110000F", chosen(new RecoveryTarget(Kind.LSN, "0/8000138")));
        assertEquals("20261127-100000F", chosen(new RecoveryTarget(Kind.LSN, "0/8000137")));
        assertEquals("(none)", chosen(new RecoveryTarget(Kind.LSN, "0/3000000")));
    }

    @Test
    void anLsnTargetCountsOnlyBackupsWhoseLsnsWereRecorded() {
        String mixed = INFO.replace("\"lsn\":{\"start\":\"0/8000028\",\"stop\":\"0/8000138\"},", "");
        BackupCatalog c = BackupCatalog.parse(mixed, "main");
        assertEquals(Optional.empty(), c.backups().get(1).lsnStop());
        assertEquals("20261127-100000F", c.select(new RecoveryTarget(Kind.LSN, "0/B000000"))
                .map(BackupCatalog.Backup::label).orElse("(none)"));
        assertEquals(Optional.empty(), c.select(new RecoveryTarget(Kind.LSN, "0/3000000")));
    }

    @Test
    void timesAreReadOnlyWithAZoneOffset() {
        Instant at = Instant.parse("2026-11-27T03:00:00Z");
        for (String t : List.of("2026-11-27 03:00:00+00", "2026-11-27 03:00:00+00:00", "2026-11-27T03:00:00Z",
                "2026-11-27 04:00:00+0100", "2026-11-27 03:00+00", "2026-11-27 04:00:00 +01:00")) {
            assertEquals(at, new RecoveryTarget(Kind.TIME, t).instant(), t);
        }
        assertEquals(Instant.parse("2026-11-27T12:22:50.145694Z"), new RecoveryTarget(Kind.TIME,
                "2026-11-27 12:22:50.145694+00").instant(), "psql's select now()");
        // PostgreSQL reads 03:00.5 as minutes and seconds; no separator, or two, is not a time either
        for (String t : List.of("2026-11-27 03:00:00", "yesterday", "2026-11-27", "03:00:00+00",
                "2026-11-27 03:00.5+00", "2026-11-2703:00+00", "2026-11-27T 03:00+00")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new RecoveryTarget(Kind.TIME, t).instant(), t);
            assertTrue(e.getMessage().contains("2026-11-27 03:00:00+00"), e.getMessage());
        }
    }

    @Test
    void theInfoCommandNeedsNoFilePgrdsWroteAndNeverCarriesAKey() {
        List<String> posix = BackupCatalog.infoArguments(new Repository.Posix("main", "/srv/backup"),
                "orderdata-production");
        assertEquals(List.of("--no-config", "--repo1-type=posix", "--repo1-path=/srv/backup", "--log-level-file=off",
                "--log-level-console=off", "--log-level-stderr=error", "--stanza=orderdata-production",
                "--output=json", "info"), posix);
        List<String> s3 = BackupCatalog.infoArguments(new Repository.S3("s3", "bucket", "s3.example.net:9000",
                "eu-1", "/pgbackrest", "/etc/pgrds/s3.conf", Optional.of("/etc/pgrds/ca.pem"), true, true),
                "orderdata-production");
        assertEquals("--config=/etc/pgrds/s3.conf", s3.get(0), "the keys come from the operator's file");
        assertTrue(s3.containsAll(List.of("--repo1-type=s3", "--repo1-s3-bucket=bucket",
                "--repo1-s3-endpoint=s3.example.net", "--repo1-storage-port=9000", "--repo1-s3-uri-style=path",
                "--repo1-storage-ca-file=/etc/pgrds/ca.pem")), s3.toString());
        assertFalse(s3.stream().anyMatch(a -> a.contains("s3-key")), s3.toString());
    }

    @Test
    void somethingElseThanItsJsonIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> BackupCatalog.parse("ERROR: [055]", "main"));
        assertThrows(IllegalArgumentException.class, () -> BackupCatalog.parse("{}", "main"));
    }
}
