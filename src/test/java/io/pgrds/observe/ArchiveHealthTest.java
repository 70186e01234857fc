package io.pgrds.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.observe.ArchiveHealth.Danger;
import io.pgrds.observe.ArchiveHealth.Verdict;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ArchiveHealthTest {
    private static final long MIB = 1024L * 1024;
    private static final long GIB = 1024 * MIB;
    /** 2024-05-03 11:06:07 UTC, the server's clock when the statistics were read. */
    private static final long NOW = 1_714_734_367_000L;
    private static final long MINUTE = 60_000;

    private static WalFacts wal(int ready, long free, long size) {
        return new WalFacts(ready, 16 * MIB, Optional.of((ready + 1) * 16 * MIB), Optional.of(size), Optional.of(free),
                Optional.of("/var/lib/pgrds"));
    }

    private static ArchiverStats stats(Long lastArchivedAgo, Long lastFailedAgo) {
        return new ArchiverStats(120, Optional.ofNullable(lastArchivedAgo).map(x -> "000000010000000000000024"),
                Optional.ofNullable(lastArchivedAgo).map(x -> NOW - x), lastFailedAgo == null ? 0 : 12,
                Optional.ofNullable(lastFailedAgo).map(x -> "000000010000000000000025"),
                Optional.ofNullable(lastFailedAgo).map(x -> NOW - x), NOW);
    }

    private static SqlFacts sql(boolean inRecovery, String archiveMode, Optional<ArchiverStats> stats) {
        TreeMap<String, Setting> settings = new TreeMap<>();
        if (archiveMode != null) {
            settings.put("archive_mode", new Setting(archiveMode, "", "postmaster", false));
        }
        return new SqlFacts("15.18", inRecovery, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), settings, List.of(), 1, 100, stats, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
    }

    private static ObservedNode node(NodeState state, boolean running, Optional<WalFacts> wal, Optional<SqlFacts> sql) {
        return new ObservedNode("pg1", "10.0.0.1", state, Optional.empty(), running, Optional.of(15),
                Optional.of("7301"), Optional.of(1), Optional.empty(), Optional.empty(), new TreeMap<>(),
                new TreeMap<>(), Optional.empty(), wal.flatMap(WalFacts::freeBytes), false, wal, sql, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
    }

    private static ObservedNode primary(WalFacts wal, ArchiverStats stats) {
        return node(NodeState.PRIMARY, true, Optional.of(wal), Optional.of(sql(false, "on", Optional.of(stats))));
    }

    private static ArchiveHealth health(ObservedNode n) {
        return ArchiveHealth.of(n).orElseThrow(() -> new AssertionError("no assessment of " + n));
    }

    @Test
    void aPrimaryThatArchivesEverySegmentIsOk() {
        ArchiveHealth h = health(primary(wal(1, 40 * GIB, 50 * GIB), stats(3_000L, null)));
        assertEquals(Verdict.OK, h.verdict());
        assertFalse(h.problem());
        assertFalse(h.diskInDanger());
        assertEquals("ok", h.word());
        assertEquals("last archived 2024-05-03 11:06:04 UTC (3 s ago); 1 WAL segment (16.0 MiB) waits in pg_wal "
                + "(32.0 MiB in all), 40.0 GiB of 50.0 GiB free on /var/lib/pgrds", h.situation());
    }

    @Test
    void nodesThatDoNotArchiveOrDoNotRunAreNotAssessed() {
        WalFacts w = wal(40, 40 * GIB, 50 * GIB);
        Optional<ArchiverStats> failing = Optional.of(stats(25 * MINUTE, MINUTE));
        assertEquals(Optional.empty(), ArchiveHealth.of(node(NodeState.PRIMARY, true, Optional.of(w),
                Optional.of(sql(false, "off", failing)))), "archive_mode off");
        assertEquals(Optional.empty(), ArchiveHealth.of(node(NodeState.STANDBY, true, Optional.of(w),
                Optional.of(sql(true, "on", failing)))), "a standby with archive_mode on leaves archiving to the primary");
        assertEquals(Optional.empty(), ArchiveHealth.of(node(NodeState.PRIMARY, false, Optional.of(w),
                Optional.empty())), "a stopped primary archives once it runs");
        assertEquals(Optional.empty(), ArchiveHealth.of(ObservedNode.unreachable("pg1", "10.0.0.1", "timeout")));
        assertEquals(Optional.empty(), ArchiveHealth.of(node(NodeState.PRIMARY, true, Optional.of(wal(3, GIB, 50 * GIB)),
                Optional.empty())), "without SQL a short queue says nothing");
    }

    @Test
    void aStandbyWithArchiveModeAlwaysIsAssessedToo() {
        ArchiveHealth h = health(node(NodeState.STANDBY, true, Optional.of(wal(5, 40 * GIB, 50 * GIB)),
                Optional.of(sql(true, "always", Optional.of(stats(25 * MINUTE, MINUTE))))));
        assertEquals(Verdict.FAILING, h.verdict());
        assertFalse(h.primary());
    }

    @Test
    void aFailureNewerThanTheLastArchiveWithSegmentsWaitingIsFailing() {
        ArchiveHealth h = health(primary(wal(37, 40 * GIB, 50 * GIB), stats(25 * MINUTE + 5_000, MINUTE)));
        assertEquals(Verdict.FAILING, h.verdict());
        assertTrue(h.problem());
        assertEquals("FAILING", h.word());
        assertEquals(List.of(), h.dangers(), "40 GiB last well over a day at 592 MiB in 25 minutes");
        assertEquals("nothing archived since 2024-05-03 10:41:02 UTC (25 min 5 s ago), the last attempt failed at "
                + "2024-05-03 11:05:07 UTC on 000000010000000000000025; 37 WAL segments (592 MiB) wait in pg_wal "
                + "(608 MiB in all), 40.0 GiB of 50.0 GiB free on /var/lib/pgrds; at the pace WAL piled up since the "
                + "last archive that space is gone in about 28 h 56 min", h.situation());
        assertEquals("archiving from pg1 is failing (37 WAL segments, 592 MiB waiting; 40.0 GiB free)", h.brief());
    }

    @Test
    void aFailureFollowedByASuccessfulArchiveIsOk() {
        assertEquals(Verdict.OK, health(primary(wal(0, 40 * GIB, 50 * GIB), stats(MINUTE, 2 * MINUTE))).verdict());
        assertEquals(Verdict.OK, health(primary(wal(2, 40 * GIB, 50 * GIB), stats(MINUTE, 2 * MINUTE))).verdict());
    }

    @Test
    void aFailureWithNothingWaitingAnyMoreIsNotFailing() {
        assertEquals(Verdict.OK, health(primary(wal(0, 40 * GIB, 50 * GIB), stats(25 * MINUTE, MINUTE))).verdict());
    }

    @Test
    void aPrimaryThatNeverArchivedAndFailsSaysSo() {
        ArchiveHealth h = health(primary(wal(3, 40 * GIB, 50 * GIB), stats(null, MINUTE)));
        assertEquals(Verdict.FAILING, h.verdict());
        assertEquals(Optional.empty(), h.fullInMillis(), "no pace without a last archive");
        assertTrue(h.situation().startsWith("nothing archived yet, the last attempt failed at 2024-05-03 11:05:07 UTC "
                + "on 000000010000000000000025; 3 WAL segments (48.0 MiB) wait"), h.situation());
    }

    @Test
    void moreThanSixteenSegmentsWaitingWithoutAFailureIsBehind() {
        assertEquals(Verdict.OK, health(primary(wal(16, 40 * GIB, 50 * GIB), stats(2_000L, null))).verdict());
        ArchiveHealth h = health(primary(wal(17, 40 * GIB, 50 * GIB), stats(2_000L, null)));
        assertEquals(Verdict.BEHIND, h.verdict());
        assertEquals("behind", h.word());
        assertEquals(Optional.empty(), h.fullInMillis(), "archiving works: no pace to project");
        assertEquals("no attempt failed, the last archive was 000000010000000000000024 at 2024-05-03 11:06:05 UTC "
                + "(2 s ago); 17 WAL segments (272 MiB) wait in pg_wal (288 MiB in all), 40.0 GiB of 50.0 GiB free "
                + "on /var/lib/pgrds", h.situation());
        assertEquals("archiving from pg1 is behind (17 WAL segments, 272 MiB waiting; 40.0 GiB free)", h.brief());
    }

    @Test
    void lessRoomThanTheWalWaitingPutsTheDiskInDanger() {
        ArchiveHealth h = health(primary(wal(100, 1200 * MIB, 1000 * GIB), stats(null, MINUTE)));
        assertEquals(List.of(Danger.LESS_THAN_WAITING, Danger.LOW_FREE), h.dangers());
        assertTrue(h.diskInDanger());
        assertTrue(h.situation().endsWith("1.2 GiB of 1000 GiB free on /var/lib/pgrds; the disk is in danger (less "
                + "room left than the WAL already waiting, less than 10 % free)"), h.situation());
        assertEquals("archiving from pg1 is failing and its disk is in danger (100 WAL segments, 1.6 GiB waiting; "
                + "1.2 GiB free)", h.brief());
    }

    @Test
    void lessThanTenPercentFreePutsTheDiskInDangerOnlyWhileWalPilesUp() {
        assertEquals(List.of(Danger.LOW_FREE), health(primary(wal(20, 4 * GIB, 50 * GIB), stats(1_000L, null)))
                .dangers());
        assertEquals(List.of(), health(primary(wal(20, 6 * GIB, 50 * GIB), stats(1_000L, null))).dangers());
        assertEquals(List.of(), health(primary(wal(1, 1 * GIB, 50 * GIB), stats(1_000L, null))).dangers(),
                "a full disk with archiving working is not this rule's business");
    }

    @Test
    void aDiskThatFillsWithinADayAtThePaceWalPiledUpIsInDanger() {
        // 37 segments (592 MiB) in 25 minutes: 10 GiB last 7 h 12 min, 40 GiB 28 h
        ArchiveHealth soon = health(primary(wal(37, 10 * GIB, 50 * GIB), stats(25 * MINUTE, MINUTE)));
        assertEquals(List.of(Danger.FULL_SOON), soon.dangers());
        assertEquals(Optional.of(25_945_945L), soon.fullInMillis());
        assertTrue(soon.situation().endsWith("10.0 GiB of 50.0 GiB free on /var/lib/pgrds; at the pace WAL piled up "
                + "since the last archive that space is gone in about 7 h 12 min; the disk is in danger (full within "
                + "24 hours)"), soon.situation());
        assertEquals("archiving from pg1 is failing and its disk is in danger (37 WAL segments, 592 MiB waiting; "
                + "10.0 GiB free, full in about 7 h 12 min)", soon.brief());
        assertEquals(List.of(), health(primary(wal(37, 40 * GIB, 50 * GIB), stats(25 * MINUTE, MINUTE))).dangers());
    }

    @Test
    void aPaceMeasuredOverLessThanTenMinutesIsNotProjected() {
        // 48 MiB written in the second after the last archive would "fill" 40 GiB in about 14 min
        ArchiveHealth early = health(primary(wal(3, 40 * GIB, 50 * GIB), stats(9 * MINUTE + 59_000, 5_000L)));
        assertEquals(Verdict.FAILING, early.verdict());
        assertEquals(Optional.empty(), early.fullInMillis());
        assertEquals(List.of(), early.dangers());
        assertEquals("nothing archived since 2024-05-03 10:56:08 UTC (9 min 59 s ago), the last attempt failed at "
                + "2024-05-03 11:06:02 UTC on 000000010000000000000025; 3 WAL segments (48.0 MiB) wait in pg_wal "
                + "(64.0 MiB in all), 40.0 GiB of 50.0 GiB free on /var/lib/pgrds", early.situation());
        assertEquals(Optional.of(512_000_000L), health(primary(wal(3, 40 * GIB, 50 * GIB), stats(10 * MINUTE, 5_000L)))
                .fullInMillis(), "at 48 MiB in 10 min, 40 GiB last 142 h");
    }

    @Test
    void withoutSqlFactsAQueueOfReadySegmentsStillShowsArchivingBehind() {
        ArchiveHealth h = health(node(NodeState.PRIMARY, true, Optional.of(wal(40, 40 * GIB, 50 * GIB)),
                Optional.empty()));
        assertEquals(Verdict.BEHIND, h.verdict());
        assertEquals("40 WAL segments (640 MiB) wait in pg_wal (656 MiB in all), 40.0 GiB of 50.0 GiB free on "
                + "/var/lib/pgrds", h.situation(), "without pg_stat_archiver pgrds cannot tell whether attempts fail");
    }

    @Test
    void anObservationWithoutTheProbesWalFactsStillShowsAFailure() {
        ArchiveHealth h = health(node(NodeState.PRIMARY, true, Optional.empty(),
                Optional.of(sql(false, "on", Optional.of(stats(25 * MINUTE, MINUTE))))));
        assertEquals(Verdict.FAILING, h.verdict());
        assertEquals(List.of(), h.dangers());
        assertEquals("archiving from pg1 is failing", h.brief());
    }

    @Test
    void timesAreTheServersInUtc() {
        assertEquals("2024-05-03 11:06:07 UTC", ArchiveHealth.time(NOW));
    }
}
