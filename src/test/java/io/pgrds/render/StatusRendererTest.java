package io.pgrds.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.ClusterId;
import io.pgrds.observe.ArchiverStats;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReplicationPeer;
import io.pgrds.observe.Setting;
import io.pgrds.observe.SqlFacts;
import io.pgrds.observe.WalFacts;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StatusRendererTest {
    private static final ClusterId ID = new ClusterId("orderdata", "integration");

    static ObservedNode node(String name, NodeState state, boolean running, Optional<SqlFacts> sql,
                             Optional<String> upstream) {
        return new ObservedNode(name, "10.0.0." + name.substring(2), state, Optional.empty(), running,
                Optional.of(15), Optional.of("7301"), Optional.of(2), upstream, Optional.empty(), new TreeMap<>(),
                new TreeMap<>(), Optional.of(8L << 30), Optional.of(40L << 30), false, Optional.empty(), sql, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
    }

    static SqlFacts primarySql(long lagBytes) {
        return new SqlFacts("15.18", false, Optional.of(Lsn.parse("0/5000060")), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of(new ReplicationPeer("pg2", "10.0.0.2", "streaming",
                Optional.of(Lsn.parse("0/5000060")), lagBytes, Optional.of(lagBytes == 0 ? 0L : 12_500L))),
                new TreeMap<>(), List.of("admin", "pgrds", "replicator"), 12, 200, Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
    }

    static SqlFacts standbySql(long lagMillis) {
        return new SqlFacts("15.18", true, Optional.empty(), Optional.of(Lsn.parse("0/5000060")),
                Optional.of(Lsn.parse("0/5000060")), Optional.of(lagMillis), Optional.of("streaming"), List.of(),
                new TreeMap<>(), List.of("admin", "pgrds", "replicator"), 3, 200, Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
    }

    /** 2024-05-03 11:06:07 UTC on the server. */
    private static final long NOW = 1_714_734_367_000L;

    /**
     * A primary with archive_mode on: {@code ready} segments waiting, {@code freeMib} free of 50 GiB, the last archive
     * 25 minutes ago and, when {@code failing}, a failed attempt a minute ago.
     */
    static ObservedNode archivingPrimary(int ready, long freeMib, boolean failing) {
        SqlFacts p = primarySql(0);
        TreeMap<String, Setting> settings = new TreeMap<>(p.settings());
        settings.put("archive_mode", new Setting("on", "", "postmaster", false));
        ArchiverStats stats = new ArchiverStats(120, Optional.of("000000010000000000000024"),
                Optional.of(NOW - 25 * 60_000), failing ? 12 : 0,
                failing ? Optional.of("000000010000000000000025") : Optional.empty(),
                failing ? Optional.of(NOW - 60_000) : Optional.empty(), NOW);
        SqlFacts sql = new SqlFacts(p.serverVersion(), false, p.currentLsn(), p.receiveLsn(), p.replayLsn(),
                p.replayLagMillis(), p.walReceiverStatus(), p.replication(), settings, p.roles(), p.connections(),
                p.maxConnections(), Optional.of(stats), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
        WalFacts wal = new WalFacts(ready, 16L << 20, Optional.of((ready + 1) * (16L << 20)), Optional.of(50L << 30),
                Optional.of(freeMib << 20), Optional.of("/var/lib/pgrds"));
        return new ObservedNode("pg1", "10.0.0.1", NodeState.PRIMARY, Optional.empty(), true, Optional.of(15),
                Optional.of("7301"), Optional.of(2), Optional.empty(), Optional.empty(), new TreeMap<>(),
                new TreeMap<>(), Optional.of(8L << 30), Optional.of(freeMib << 20), false, Optional.of(wal),
                Optional.of(sql), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
    }

    @Test
    void aHealthyClusterIsATableAndAnInSyncLine() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty()),
                node("pg2", NodeState.STANDBY, true, Optional.of(standbySql(0)), Optional.of("10.0.0.1"))));
        assertEquals("""
                pgrds status — commit 3f2a1c9 (main)

                orderdata/integration
                  NODE  HOST      STATE    RUNNING  VERSION  TL  LSN        LAG         CONNECTIONS  FREE DISK  ARCHIVE  REBOOT
                  pg1   10.0.0.1  PRIMARY  yes      15.18    2   0/5000060  -           12/200       40.0 GiB   -        no
                  pg2   10.0.0.2  STANDBY  yes      15.18    2   0/5000060  0 B / 0 ms  3/200        40.0 GiB   -        no
                  ✓ in sync: pg1 primary, 1 standby streaming
                """, StatusRenderer.text("commit 3f2a1c9 (main)", List.of(StatusView.of(c)), false));
    }

    @Test
    void aLaggingStandbyIsNamedWithItsLag() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(64L << 20)), Optional.empty()),
                node("pg2", NodeState.STANDBY, true, Optional.of(standbySql(12_500)), Optional.of("10.0.0.1"))));
        StatusView v = StatusView.of(c);
        assertEquals("lagging: pg2 64.0 MiB / 12.5 s", v.summary());
        assertEquals(false, v.healthy());
    }

    @Test
    void anUnreachableNodeIsNamedWithItsCauseOnceAndWhatIsNotKnownOfItIsAQuestionMark() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty()),
                ObservedNode.unreachable("pg2", "10.0.0.2", "connection refused")));
        String text = StatusRenderer.text("commit 3f2a1c9 (main)", List.of(StatusView.of(c)), false);
        assertTrue(text.endsWith("""
                  pg2   10.0.0.2  UNREACHABLE  ?        -        -   -          -    -            -          -        ?
                  ✗ pg2 UNREACHABLE: connection refused
                """), text);
    }

    @Test
    void aPrimaryThatArchivesShowsOkAndTheClusterStaysHealthy() {
        ObservedCluster c = new ObservedCluster(ID, List.of(archivingPrimary(0, 40 << 10, false),
                node("pg2", NodeState.STANDBY, true, Optional.of(standbySql(0)), Optional.of("10.0.0.1"))));
        StatusView v = StatusView.of(c);
        assertTrue(v.healthy(), v.summary());
        String text = StatusRenderer.text("x", List.of(v), false);
        assertTrue(text.contains("""
                  pg1   10.0.0.1  PRIMARY  yes      15.18    2   0/5000060  -           12/200       40.0 GiB   ok       no
                """), text);
    }

    @Test
    void failingArchivingIsAColumnALineWithEveryNumberAndMakesTheClusterUnhealthy() {
        ObservedCluster c = new ObservedCluster(ID, List.of(archivingPrimary(37, 1229, true),
                node("pg2", NodeState.STANDBY, true, Optional.of(standbySql(0)), Optional.of("10.0.0.1"))));
        StatusView v = StatusView.of(c);
        assertEquals(false, v.healthy());
        assertEquals("""
                pgrds status — commit 3f2a1c9 (main)

                orderdata/integration
                  NODE  HOST      STATE    RUNNING  VERSION  TL  LSN        LAG         CONNECTIONS  FREE DISK  ARCHIVE  REBOOT
                  pg1   10.0.0.1  PRIMARY  yes      15.18    2   0/5000060  -           12/200       1.2 GiB    FAILING  no
                  pg2   10.0.0.2  STANDBY  yes      15.18    2   0/5000060  0 B / 0 ms  3/200        40.0 GiB   -        no
                  pg1: archiving failing: nothing archived since 2024-05-03 10:41:07 UTC (25 min 0 s ago), the last \
                attempt failed at 2024-05-03 11:05:07 UTC on 000000010000000000000025; 37 WAL segments (592 MiB) wait \
                in pg_wal (608 MiB in all), 1.2 GiB of 50.0 GiB free on /var/lib/pgrds; at the pace WAL piled up since \
                the last archive that space is gone in about 52 min; the disk is in danger (less than 10 % free, \
                full within 24 hours)
                  ✗ archiving from pg1 is failing and its disk is in danger (37 WAL segments, 592 MiB waiting; 1.2 GiB \
                free, full in about 52 min)
                """, StatusRenderer.text("commit 3f2a1c9 (main)", List.of(v), false));
    }

    @Test
    void archivingBehindIsAProblemAmongTheOthersInNodeOrder() {
        ObservedCluster c = new ObservedCluster(ID, List.of(archivingPrimary(20, 40 << 10, false),
                node("pg2", NodeState.STANDBY, false, Optional.empty(), Optional.of("10.0.0.1"))));
        assertEquals("archiving from pg1 is behind (20 WAL segments, 320 MiB waiting; 40.0 GiB free); pg2 is stopped",
                StatusView.of(c).summary());
    }

    @Test
    void twoPrimariesAreCalledSplitBrain() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty()),
                node("pg2", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty())));
        assertEquals("DANGER: 2 nodes hold primary data (pg1, pg2): split brain", StatusView.of(c).summary());
    }

    @Test
    void colourOnlyWhenAsked() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty())));
        assertTrue(StatusRenderer.text("x", List.of(StatusView.of(c)), true).contains("\u001b[32m"));
        assertEquals(false, StatusRenderer.text("x", List.of(StatusView.of(c)), false).contains("\u001b["));
    }

    @Test
    void jsonCarriesEveryColumnWithAFormatVersion() throws Exception {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty()),
                ObservedNode.unreachable("pg2", "10.0.0.2", "connection refused")));
        String json = StatusRenderer.json(Optional.of("3f2a1c9"), List.of(StatusView.of(c)));
        assertTrue(json.contains("\"format_version\" : \"2\""), json);
        assertTrue(json.contains("\"state\" : \"UNREACHABLE\""), json);
        assertTrue(json.contains("\"error\" : \"connection refused\""), json);
        assertTrue(json.contains("\"max_connections\" : 200"), json);
        assertTrue(json.contains("\"archive\" : null"), json);
        com.fasterxml.jackson.databind.JsonNode pg2 = io.pgrds.util.Json.mapper().readTree(json).path("clusters")
                .path(0).path("nodes").path(1);
        assertEquals("pg2", pg2.path("name").asText(), json);
        assertTrue(pg2.path("running").isNull() && pg2.path("reboot_required").isNull(),
                "not known of an unreachable node: null, not false: " + pg2);
        assertTrue(io.pgrds.util.Json.mapper().readTree(json).path("clusters").path(0).path("nodes").path(0)
                .path("running").asBoolean(), json);
    }

    @Test
    void jsonCarriesTheArchivingOfANodeWithTimesInUtc() {
        ObservedCluster c = new ObservedCluster(ID, List.of(archivingPrimary(37, 1229, true)));
        String json = StatusRenderer.json(Optional.of("3f2a1c9"), List.of(StatusView.of(c)));
        assertTrue(json.contains("""
                      "archive" : {
                        "state" : "failing",
                        "disk_in_danger" : true,
                        "dangers" : [ "low_free", "full_soon" ],
                        "ready_segments" : 37,
                        "waiting_bytes" : 620756992,
                        "pg_wal_bytes" : 637534208,
                        "pg_wal_free_bytes" : 1288699904,
                        "pg_wal_file_system_bytes" : 53687091200,
                        "pg_wal_mount_point" : "/var/lib/pgrds",
                        "last_archived_wal" : "000000010000000000000024",
                        "last_archived_time" : "2024-05-03T10:41:07Z",
                        "last_failed_wal" : "000000010000000000000025",
                        "last_failed_time" : "2024-05-03T11:05:07Z",
                        "failed_count" : 12,
                        "observed_time" : "2024-05-03T11:06:07Z",
                        "full_in_seconds" : 3114,
                        "message" : "nothing archived since 2024-05-03 10:41:07 UTC (25 min 0 s ago), the last attempt \
                failed at"""), json);
        assertTrue(json.contains("\"healthy\" : false"), json);
    }
}
