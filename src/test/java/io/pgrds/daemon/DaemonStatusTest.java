package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.plan.Action;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.Refusal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The status a run leaves, its one sentence, and the metrics text rendered from it. */
class DaemonStatusTest {
    private static final ClusterId ID = PolicyTest.ID;
    private static final String COMMIT = "3f2a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b";
    private static final Instant T = Instant.parse("2026-11-27T08:00:00Z");

    private static TreeMap<String, String> nodes() {
        TreeMap<String, String> n = new TreeMap<>();
        n.put("pg1", "PRIMARY");
        n.put("pg2", "STANDBY");
        return n;
    }

    private static TreeMap<String, Long> lag() {
        TreeMap<String, Long> l = new TreeMap<>();
        l.put("pg2", 128L);
        return l;
    }

    private static Outcomes.Run run(ReconcilePolicy policy, List<Action> actions, String decision) {
        ClusterPlan plan = new ClusterPlan(ID, actions, List.of(), List.of(), decision);
        Policy.Split split = Policy.split(policy, plan);
        return new Outcomes.Run(ID, Optional.of(policy), Optional.of(COMMIT), Optional.of(plan), split,
                split.apply().size(), false, Optional.empty(), nodes(), lag(), T, 1234);
    }

    @Test
    void aRunWithNothingToDoSaysSoWithTheCommitAndIsSynced() {
        Outcomes.Run r = run(ReconcilePolicy.SAFE, List.of(),
                "orderdata/integration: no action, pg1 primary, 1 standby streaming");
        assertEquals("orderdata/integration: no action, pg1 primary, 1 standby streaming, commit 3f2a1c9",
                Outcomes.sentence(r));
        ClusterStatus s = Outcomes.status(ClusterStatus.pending(ID), r);
        assertEquals(Sync.SYNCED, s.sync());
        assertEquals("synced", s.lastResult());
        assertEquals(Optional.of(COMMIT), s.lastAppliedCommit());
        assertEquals(Optional.of(T.plusMillis(1234)), s.lastAppliedAt());
    }

    @Test
    void aSafeClusterWithAPendingSwitchoverIsOutOfSyncAndNamesWhatWasHeldBack() {
        Outcomes.Run r = run(ReconcilePolicy.SAFE, List.of(PolicyTest.HBA, PolicyTest.SWITCHOVER, PolicyTest.ENDPOINT),
                "orderdata/integration: switchover pg1 → pg2, rewrite pg_hba.conf, register endpoint");
        assertEquals("orderdata/integration: switchover pg1 → pg2, rewrite pg_hba.conf, register endpoint, applied 1 "
                + "of 3 actions, held back by policy safe: switchover pg1 → pg2, register endpoint orders.example → "
                + "pg1, commit 3f2a1c9", Outcomes.sentence(r));
        ClusterStatus s = Outcomes.status(ClusterStatus.pending(ID), r);
        assertEquals(Sync.OUT_OF_SYNC, s.sync());
        assertEquals("partial", s.lastResult());
        assertEquals(List.of("switchover pg1 → pg2", "register endpoint orders.example → pg1"), s.heldBack());
        assertEquals(3, s.differences().size());
        assertEquals(Optional.empty(), s.lastAppliedCommit(), "never in sync yet");
    }

    @Test
    void observeReportsDriftOnly() {
        Outcomes.Run r = run(ReconcilePolicy.OBSERVE, List.of(PolicyTest.CLONE),
                "orderdata/integration: keep pg1 primary, clone pg3");
        assertEquals("orderdata/integration: keep pg1 primary, clone pg3, not applied (policy observe), commit "
                + "3f2a1c9", Outcomes.sentence(r));
        assertEquals("observed", Outcomes.status(ClusterStatus.pending(ID), r).lastResult());
    }

    @Test
    void aFullyAppliedPlanIsSyncedAtItsCommit() {
        Outcomes.Run r = run(ReconcilePolicy.FULL, List.of(PolicyTest.CLONE), "orderdata/integration: clone pg3");
        assertEquals("orderdata/integration: clone pg3, applied 1 action, commit 3f2a1c9", Outcomes.sentence(r));
        ClusterStatus s = Outcomes.status(ClusterStatus.pending(ID), r);
        assertEquals(Sync.SYNCED, s.sync());
        assertEquals("applied", s.lastResult());
    }

    @Test
    void aRefusalNamesItsCodeAndMessage() {
        ClusterPlan plan = new ClusterPlan(ID, List.of(), List.of(new Refusal("SPLIT_BRAIN", ID.toString(),
                Optional.empty(), "pg1 and pg2 both run as primary.", "Stop one.")), List.of(), "refused");
        Outcomes.Run r = new Outcomes.Run(ID, Optional.of(ReconcilePolicy.FULL), Optional.of(COMMIT),
                Optional.of(plan), new Policy.Split(List.of(), List.of()), 0, false, Optional.empty(), nodes(),
                lag(), T, 10);
        assertEquals("orderdata/integration: refused (SPLIT_BRAIN), pg1 and pg2 both run as primary, nothing "
                + "applied, commit 3f2a1c9", Outcomes.sentence(r));
        ClusterStatus s = Outcomes.status(ClusterStatus.pending(ID), r);
        assertEquals(Sync.REFUSED, s.sync());
        assertEquals(Optional.of("SPLIT_BRAIN"), s.refusalCode());
    }

    @Test
    void aFailedRunKeepsTheLastAppliedCommit() {
        ClusterStatus before = Outcomes.status(ClusterStatus.pending(ID), run(ReconcilePolicy.SAFE, List.of(),
                "orderdata/integration: no action, pg1 primary, 1 standby streaming"));
        Outcomes.Run failed = Outcomes.Run.failed(ID, Optional.empty(), Optional.empty(),
                "Unable to read the repository: no such path.\nNext line.", T.plusSeconds(60), 5);
        assertEquals("orderdata/integration: error, Unable to read the repository: no such path",
                Outcomes.sentence(failed));
        ClusterStatus s = Outcomes.status(before, failed);
        assertEquals(Sync.ERROR, s.sync());
        assertEquals(Optional.of(COMMIT), s.lastAppliedCommit());
        assertEquals(Optional.of(T.plusSeconds(60)), s.lastRunAt());
    }

    /** What a run measured: pg2 lags 1.5 s, pg1 archives with 3 segments waiting, the repository holds 3 backups. */
    private static Figures figures() {
        TreeMap<String, Long> lag = new TreeMap<>();
        lag.put("pg2", 1500L);
        TreeMap<String, Figures.Wal> wal = new TreeMap<>();
        wal.put("pg1", new Figures.Wal(3, 3 * 16777216L, Optional.of(10_000_000_000L), Optional.of(50_000_000_000L),
                Optional.of("failing"), false, Optional.of(T.minusSeconds(600))));
        wal.put("pg2", new Figures.Wal(0, 0, Optional.of(20_000_000_000L), Optional.of(50_000_000_000L),
                Optional.empty(), false, Optional.empty()));
        TreeMap<String, Instant> completed = new TreeMap<>();
        completed.put("full", T.minusSeconds(86_400));
        completed.put("incr", T.minusSeconds(3_600));
        return new Figures(lag, wal, Optional.of(new Figures.Repository(T, Optional.of(T), Optional.empty(), 3,
                completed, Optional.of(T.minusSeconds(7 * 86_400)))));
    }

    @Test
    void metricsRenderTheStatusInPrometheusTextFormat() {
        ClusterPlan plan = new ClusterPlan(ID, List.of(PolicyTest.HBA, PolicyTest.SWITCHOVER), List.of(), List.of(),
                "orderdata/integration: switchover pg1 → pg2");
        Policy.Split split = Policy.split(ReconcilePolicy.SAFE, plan);
        ClusterStatus s = Outcomes.status(ClusterStatus.pending(ID), new Outcomes.Run(ID,
                Optional.of(ReconcilePolicy.SAFE), Optional.of(COMMIT), Optional.of(plan), split, split.apply().size(),
                false, Optional.empty(), nodes(), lag(), T, 1234, List.of(), figures()));
        assertEquals("""
                # HELP pgrds_backup_last_completed_timestamp_seconds When the newest backup of the type completed, as the repository lists it (Unix time).
                # TYPE pgrds_backup_last_completed_timestamp_seconds gauge
                pgrds_backup_last_completed_timestamp_seconds{cluster="orderdata/integration",type="full"} 1.79568E9
                pgrds_backup_last_completed_timestamp_seconds{cluster="orderdata/integration",type="incr"} 1.7957628E9
                # HELP pgrds_backup_repository_read_timestamp_seconds When the backup repository's catalog was last read (Unix time).
                # TYPE pgrds_backup_repository_read_timestamp_seconds gauge
                pgrds_backup_repository_read_timestamp_seconds{cluster="orderdata/integration"} 1.7957664E9
                # HELP pgrds_backup_repository_up 1 when the last reading of the backup repository's catalog (pgbackrest info) succeeded, 0 when it failed (the figures are from the last reading that did).
                # TYPE pgrds_backup_repository_up gauge
                pgrds_backup_repository_up{cluster="orderdata/integration"} 1.0
                # HELP pgrds_backup_restorable_since_timestamp_seconds The start of the restorable window: the oldest backup's start (Unix time).
                # TYPE pgrds_backup_restorable_since_timestamp_seconds gauge
                pgrds_backup_restorable_since_timestamp_seconds{cluster="orderdata/integration"} 1.7951616E9
                # HELP pgrds_backups Backups the repository holds.
                # TYPE pgrds_backups gauge
                pgrds_backups{cluster="orderdata/integration"} 3.0
                # HELP pgrds_cluster_applied_actions Actions the last run applied.
                # TYPE pgrds_cluster_applied_actions gauge
                pgrds_cluster_applied_actions{cluster="orderdata/integration"} 1.0
                # HELP pgrds_cluster_danger 1 while the cluster is in DANGER: two nodes accept writes and the last run did not stop the stale one (policy observe, or refused); the texts are in /status. Page on it.
                # TYPE pgrds_cluster_danger gauge
                pgrds_cluster_danger{cluster="orderdata/integration"} 0.0
                # HELP pgrds_cluster_last_run_duration_seconds How long the last run took.
                # TYPE pgrds_cluster_last_run_duration_seconds gauge
                pgrds_cluster_last_run_duration_seconds{cluster="orderdata/integration"} 1.234
                # HELP pgrds_cluster_last_run_result 1 with the result of the last run as a label.
                # TYPE pgrds_cluster_last_run_result gauge
                pgrds_cluster_last_run_result{cluster="orderdata/integration",result="partial"} 1.0
                # HELP pgrds_cluster_last_run_timestamp_seconds When the last run started (Unix time).
                # TYPE pgrds_cluster_last_run_timestamp_seconds gauge
                pgrds_cluster_last_run_timestamp_seconds{cluster="orderdata/integration"} 1.7957664E9
                # HELP pgrds_cluster_plan_warnings Warnings in the last run's plan (e.g. failing WAL archiving); the texts are in /status.
                # TYPE pgrds_cluster_plan_warnings gauge
                pgrds_cluster_plan_warnings{cluster="orderdata/integration"} 0.0
                # HELP pgrds_cluster_planned_actions Actions in the last run's plan.
                # TYPE pgrds_cluster_planned_actions gauge
                pgrds_cluster_planned_actions{cluster="orderdata/integration"} 2.0
                # HELP pgrds_cluster_sync_status 1 for the cluster's current sync status, 0 for the others.
                # TYPE pgrds_cluster_sync_status gauge
                pgrds_cluster_sync_status{cluster="orderdata/integration",status="Error"} 0.0
                pgrds_cluster_sync_status{cluster="orderdata/integration",status="OutOfSync"} 1.0
                pgrds_cluster_sync_status{cluster="orderdata/integration",status="Refused"} 0.0
                pgrds_cluster_sync_status{cluster="orderdata/integration",status="Synced"} 0.0
                pgrds_cluster_sync_status{cluster="orderdata/integration",status="Unknown"} 0.0
                # HELP pgrds_node_state 1 for the node's observed state, 0 for the others.
                # TYPE pgrds_node_state gauge
                pgrds_node_state{cluster="orderdata/integration",node="pg1",state="DEACTIVATED"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg1",state="EMPTY"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg1",state="FOREIGN"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg1",state="NO_POSTGRES"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg1",state="PRIMARY"} 1.0
                pgrds_node_state{cluster="orderdata/integration",node="pg1",state="STANDBY"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg1",state="UNKNOWN"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg1",state="UNREACHABLE"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg2",state="DEACTIVATED"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg2",state="EMPTY"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg2",state="FOREIGN"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg2",state="NO_POSTGRES"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg2",state="PRIMARY"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg2",state="STANDBY"} 1.0
                pgrds_node_state{cluster="orderdata/integration",node="pg2",state="UNKNOWN"} 0.0
                pgrds_node_state{cluster="orderdata/integration",node="pg2",state="UNREACHABLE"} 0.0
                # HELP pgrds_replication_lag_bytes Bytes a standby has yet to replay, as its primary reports.
                # TYPE pgrds_replication_lag_bytes gauge
                pgrds_replication_lag_bytes{cluster="orderdata/integration",node="pg2"} 128.0
                # HELP pgrds_replication_lag_seconds How far a standby's replay is behind in time, as its primary reports (replay_lag; 0 once caught up and idle).
                # TYPE pgrds_replication_lag_seconds gauge
                pgrds_replication_lag_seconds{cluster="orderdata/integration",node="pg2"} 1.5
                # HELP pgrds_status_store_up 1 while the clusters' status can be read and written (with a shared job store: its database; 0 serves the last status read).
                # TYPE pgrds_status_store_up gauge
                pgrds_status_store_up 1.0
                # HELP pgrds_up 1 while the daemon's scheduler runs.
                # TYPE pgrds_up gauge
                pgrds_up 1.0
                # HELP pgrds_wal_archive_status For a node that archives WAL: 1 for its archiving state (ok, behind, failing), 0 for the others.
                # TYPE pgrds_wal_archive_status gauge
                pgrds_wal_archive_status{cluster="orderdata/integration",node="pg1",state="behind"} 0.0
                pgrds_wal_archive_status{cluster="orderdata/integration",node="pg1",state="failing"} 1.0
                pgrds_wal_archive_status{cluster="orderdata/integration",node="pg1",state="ok"} 0.0
                # HELP pgrds_wal_disk_in_danger For a node that archives WAL: 1 while archiving is behind or failing and the disk holding pg_wal may fill.
                # TYPE pgrds_wal_disk_in_danger gauge
                pgrds_wal_disk_in_danger{cluster="orderdata/integration",node="pg1"} 0.0
                # HELP pgrds_wal_filesystem_free_bytes Free bytes on the file system holding pg_wal.
                # TYPE pgrds_wal_filesystem_free_bytes gauge
                pgrds_wal_filesystem_free_bytes{cluster="orderdata/integration",node="pg1"} 1.0E10
                pgrds_wal_filesystem_free_bytes{cluster="orderdata/integration",node="pg2"} 2.0E10
                # HELP pgrds_wal_filesystem_size_bytes The size of the file system holding pg_wal.
                # TYPE pgrds_wal_filesystem_size_bytes gauge
                pgrds_wal_filesystem_size_bytes{cluster="orderdata/integration",node="pg1"} 5.0E10
                pgrds_wal_filesystem_size_bytes{cluster="orderdata/integration",node="pg2"} 5.0E10
                # HELP pgrds_wal_last_archived_timestamp_seconds When the archiver last succeeded (the server's clock, Unix time).
                # TYPE pgrds_wal_last_archived_timestamp_seconds gauge
                pgrds_wal_last_archived_timestamp_seconds{cluster="orderdata/integration",node="pg1"} 1.7957658E9
                # HELP pgrds_wal_ready_segments WAL segments waiting for the archiver (.ready files in pg_wal/archive_status).
                # TYPE pgrds_wal_ready_segments gauge
                pgrds_wal_ready_segments{cluster="orderdata/integration",node="pg1"} 3.0
                pgrds_wal_ready_segments{cluster="orderdata/integration",node="pg2"} 0.0
                # HELP pgrds_wal_waiting_bytes The size of the WAL waiting for the archiver.
                # TYPE pgrds_wal_waiting_bytes gauge
                pgrds_wal_waiting_bytes{cluster="orderdata/integration",node="pg1"} 5.0331648E7
                pgrds_wal_waiting_bytes{cluster="orderdata/integration",node="pg2"} 0.0
                """, Metrics.render(List.of(s), true));
    }

    @Test
    void thePlanWarningsAreKeptAndCountedAndAFailedRunDoesNotForgetThem() {
        String warning = "Archiving from primary pg1 is failing: nothing archived since 10:11.";
        ClusterPlan plan = new ClusterPlan(ID, List.of(), List.of(), List.of(warning), "no action");
        Outcomes.Run r = new Outcomes.Run(ID, Optional.of(ReconcilePolicy.SAFE), Optional.of(COMMIT),
                Optional.of(plan), new Policy.Split(List.of(), List.of()), 0, false, Optional.empty(), nodes(),
                lag(), T, 10);
        ClusterStatus s = Outcomes.status(ClusterStatus.pending(ID), r);
        assertEquals(List.of(warning), s.warnings());
        assertEquals(true, Metrics.render(List.of(s), true).contains(
                "pgrds_cluster_plan_warnings{cluster=\"orderdata/integration\"} 1.0\n"));
        ClusterStatus failed = Outcomes.status(s, Outcomes.Run.failed(ID, Optional.empty(), Optional.empty(),
                "node pg1 unreachable", T.plusSeconds(60), 5));
        assertEquals(List.of(warning), failed.warnings(), "no plan, so the last known warnings stay");
    }

    @Test
    void twoWritablePrimariesUnderObserveAreADangerInStatusAndMetricsUntilARunFindsThemGone() {
        String danger = "DANGER: pg1 (timeline 1) and pg2 (timeline 2) both run as primary: clients may write to "
                + "either, and what is written to the stale one is not on the other";
        ClusterPlan plan = new ClusterPlan(ID, List.of(PolicyTest.FENCE, PolicyTest.REJOIN), List.of(), List.of(),
                "orderdata/integration: keep pg2 primary, fence pg1, rejoin stale old primary pg1", List.of(danger));
        Policy.Split split = Policy.split(ReconcilePolicy.OBSERVE, plan);
        Outcomes.Run r = new Outcomes.Run(ID, Optional.of(ReconcilePolicy.OBSERVE), Optional.of(COMMIT),
                Optional.of(plan), split, 0, false, Optional.empty(), nodes(), lag(), T, 10, plan.dangers());
        ClusterStatus s = Outcomes.status(ClusterStatus.pending(ID), r);
        assertEquals(List.of(danger), s.dangers());
        assertEquals(true, Metrics.render(List.of(s), true).contains(
                "pgrds_cluster_danger{cluster=\"orderdata/integration\"} 1.0\n"));
        assertEquals(true, StatusJson.render(List.of(s), true).contains(danger), StatusJson.render(List.of(s), true));
        ClusterStatus failed = Outcomes.status(s, Outcomes.Run.failed(ID, Optional.empty(), Optional.empty(),
                "node pg1 unreachable", T.plusSeconds(60), 5));
        assertEquals(List.of(danger), failed.dangers(), "no observation, so the danger stays");
        Outcomes.Run fenced = new Outcomes.Run(ID, Optional.of(ReconcilePolicy.SAFE), Optional.of(COMMIT),
                Optional.of(plan), Policy.split(ReconcilePolicy.SAFE, plan), 1, false, Optional.empty(), nodes(),
                lag(), T.plusSeconds(120), 10, List.of());
        assertEquals(List.of(), Outcomes.status(failed, fenced).dangers(), "the stale one was stopped");
    }

    @Test
    void labelValuesAreEscaped() {
        ClusterStatus s = ClusterStatus.pending(ID);
        TreeMap<String, String> odd = new TreeMap<>();
        odd.put("a\"b\\c\nd", "PRIMARY");
        ClusterStatus withOddNode = new ClusterStatus(ID, s.policy(), s.sync(), s.differences(), s.heldBack(),
                s.refusalCode(), s.message(), s.commit(), s.lastAppliedCommit(), s.lastAppliedAt(), s.lastRunAt(),
                s.lastRunMillis(), s.lastResult(), s.planned(), s.applied(), odd, s.lagBytes(), s.sentence(),
                s.backups(), s.warnings(), s.dangers(), s.lastRunBy(), s.figures());
        assertTrue(Metrics.render(List.of(withOddNode), true).contains("pgrds_node_state{cluster=\"orderdata/"
                + "integration\",node=\"a\\\"b\\\\c\\nd\",state=\"PRIMARY\"} 1.0\n"));
    }
}
