package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.ClusterId;
import io.pgrds.observe.ArchiverStats;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReplicationPeer;
import io.pgrds.observe.Setting;
import io.pgrds.observe.SqlFacts;
import io.pgrds.observe.WalFacts;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What a run keeps from its observation and from the backup catalog for /status and /metrics. */
class FiguresTest {
    private static final long MIB = 1024L * 1024;
    private static final long NOW = 1_714_734_367_000L;

    private static ObservedNode node(String name, NodeState state, Optional<WalFacts> wal, Optional<SqlFacts> sql) {
        return new ObservedNode(name, "10.0.0.1", state, Optional.empty(), true, Optional.of(15), Optional.of("7301"),
                Optional.of(1), Optional.empty(), Optional.empty(), new TreeMap<>(), new TreeMap<>(), Optional.empty(),
                Optional.empty(), false, wal, sql, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static SqlFacts primarySql(List<ReplicationPeer> peers, ArchiverStats stats) {
        TreeMap<String, Setting> settings = new TreeMap<>();
        settings.put("archive_mode", new Setting("on", "", "postmaster", false));
        return new SqlFacts("15.18", false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), peers, settings, List.of(), 1, 100, Optional.of(stats), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    @Test
    void lagInTimeIsThePrimarysReplayLagAndZeroForACaughtUpStandbyWhoseLagTurnedNull() {
        List<ReplicationPeer> peers = List.of(
                new ReplicationPeer("pg2", "10.0.0.2", "streaming", Optional.empty(), 0, Optional.empty()),
                new ReplicationPeer("pg3", "10.0.0.3", "streaming", Optional.empty(), 4096, Optional.of(2500L)),
                new ReplicationPeer("pg4", "10.0.0.4", "catchup", Optional.empty(), 9_000_000, Optional.empty()));
        // archiving failed 5 minutes ago, after the last success 20 minutes ago: failing, 3 segments wait
        ArchiverStats failing = new ArchiverStats(120, Optional.of("000000010000000000000024"),
                Optional.of(NOW - 20 * 60_000), 12, Optional.of("000000010000000000000025"),
                Optional.of(NOW - 5 * 60_000), NOW);
        WalFacts wal = new WalFacts(3, 16 * MIB, Optional.of(64 * MIB), Optional.of(50_000 * MIB),
                Optional.of(20_000 * MIB), Optional.of("/var/lib/postgresql"));
        WalFacts standbyWal = new WalFacts(0, 16 * MIB, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
        ObservedCluster observed = new ObservedCluster(ClusterId.parse("orderdata/integration"), List.of(
                node("pg1", NodeState.PRIMARY, Optional.of(wal), Optional.of(primarySql(peers, failing))),
                node("pg2", NodeState.STANDBY, Optional.of(standbyWal), Optional.empty())), Optional.empty());

        Figures f = Figures.of(observed);

        assertEquals(Map.of("pg2", 0L, "pg3", 2500L), f.lagMillis(), "pg4's time is not known: no figure, not 0");
        assertEquals(new Figures.Wal(3, 48 * MIB, Optional.of(20_000 * MIB), Optional.of(50_000 * MIB),
                Optional.of("failing"), false, Optional.of(Instant.ofEpochMilli(NOW - 20 * 60_000))),
                f.wal().get("pg1"));
        assertEquals(new Figures.Wal(0, 0, Optional.empty(), Optional.empty(), Optional.empty(), false,
                Optional.empty()), f.wal().get("pg2"), "a standby without SQL facts: WAL, no archiving verdict");
        assertEquals(Optional.empty(), f.repository());
    }

    private static BackupCatalog.Backup backup(String label, String type, long start, long stop) {
        return new BackupCatalog.Backup(label, type, Instant.ofEpochSecond(start), Instant.ofEpochSecond(stop), 1, 1,
                "a", "b", Optional.empty());
    }

    @Test
    void theRepositoryFiguresAreTheNewestOfEachTypeAndTheOldestStartAndAFailedReadKeepsThem() {
        BackupCatalog catalog = new BackupCatalog("orderdata-integration", "main", "ok", List.of(
                backup("F1", "full", 1000, 1100), backup("I1", "incr", 2000, 2010), backup("F2", "full", 3000, 3300),
                backup("D1", "diff", 4000, 4050), backup("I2", "incr", 5000, 5005)), Optional.empty(),
                Optional.empty());
        Instant at = Instant.ofEpochSecond(6000);
        Figures.Repository r = Figures.Repository.of(catalog, at);
        assertEquals(Map.of("full", Instant.ofEpochSecond(3300), "diff", Instant.ofEpochSecond(4050), "incr",
                Instant.ofEpochSecond(5005)), r.lastCompleted());
        assertEquals(Optional.of(Instant.ofEpochSecond(1000)), r.windowStart());
        assertEquals(5, r.backups());
        assertEquals(Optional.of(at), r.readAt());

        Instant later = Instant.ofEpochSecond(6300);
        Figures.Repository failed = Figures.Repository.failed(Optional.of(r), "no node could list its backups", later);
        assertEquals(later, failed.checkedAt());
        assertEquals(Optional.of(at), failed.readAt(), "the figures are still those of the last reading");
        assertEquals(r.lastCompleted(), failed.lastCompleted());
        assertEquals(Optional.of("no node could list its backups"), failed.error());
        assertEquals(Optional.empty(), Figures.Repository.failed(Optional.empty(), "x", later).readAt());
    }

    @Test
    void aRunThatReadNoCatalogKeepsTheLastReading() {
        Figures.Repository r = new Figures.Repository(Instant.EPOCH, Optional.of(Instant.EPOCH), Optional.empty(), 1,
                new TreeMap<>(Map.of("full", Instant.EPOCH)), Optional.of(Instant.EPOCH));
        ClusterStatus before = ClusterStatus.pending(PolicyTest.ID).withRepository(r);
        ClusterStatus after = Outcomes.status(before, Outcomes.Run.failed(PolicyTest.ID, Optional.empty(),
                Optional.empty(), "unreachable", Instant.EPOCH.plusSeconds(60), 5));
        assertEquals(Optional.of(r), after.figures().repository());
    }
}
