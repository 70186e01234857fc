package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void metricsRenderTheStatusInPrometheusTextFormat() {
        ClusterStatus s = Outcomes.status(ClusterStatus.pending(ID), run(ReconcilePolicy.SAFE,
                List.of(PolicyTest.HBA, PolicyTest.SWITCHOVER), "orderdata/integration: switchover pg1 → pg2"));
        assertEquals("""
                # HELP pgrds_up 1 while the daemon's scheduler runs.
                # TYPE pgrds_up gauge
                pgrds_up 1
                # HELP pgrds_cluster_sync_status 1 for the cluster's current sync status, 0 for the others.
                # TYPE pgrds_cluster_sync_status gauge
                pgrds_cluster_sync_status{cluster="orderdata/integration",status="Synced"} 0
                pgrds_cluster_sync_status{cluster="orderdata/integration",status="OutOfSync"} 1
                pgrds_cluster_sync_status{cluster="orderdata/integration",status="Refused"} 0
                pgrds_cluster_sync_status{cluster="orderdata/integration",status="Error"} 0
                pgrds_cluster_sync_status{cluster="orderdata/integration",status="Unknown"} 0
                # HELP pgrds_cluster_last_run_timestamp_seconds When the last run started (Unix time).
                # TYPE pgrds_cluster_last_run_timestamp_seconds gauge
                pgrds_cluster_last_run_timestamp_seconds{cluster="orderdata/integration"} 1795766400
                # HELP pgrds_cluster_last_run_duration_seconds How long the last run took.
                # TYPE pgrds_cluster_last_run_duration_seconds gauge
                pgrds_cluster_last_run_duration_seconds{cluster="orderdata/integration"} 1.234
                # HELP pgrds_cluster_last_run_result 1 with the result of the last run as a label.
                # TYPE pgrds_cluster_last_run_result gauge
                pgrds_cluster_last_run_result{cluster="orderdata/integration",result="partial"} 1
                # HELP pgrds_cluster_last_applied_timestamp_seconds When the servers last matched a commit after a run (Unix time).
                # TYPE pgrds_cluster_last_applied_timestamp_seconds gauge
                # HELP pgrds_cluster_plan_warnings Warnings in the last run's plan (e.g. failing WAL archiving); the texts are in /status.
                # TYPE pgrds_cluster_plan_warnings gauge
                pgrds_cluster_plan_warnings{cluster="orderdata/integration"} 0
                # HELP pgrds_cluster_danger 1 while the cluster is in DANGER: two nodes accept writes and the last run did not stop the stale one (policy observe, or refused); the texts are in /status. Page on it.
                # TYPE pgrds_cluster_danger gauge
                pgrds_cluster_danger{cluster="orderdata/integration"} 0
                # HELP pgrds_cluster_planned_actions Actions in the last run's plan.
                # TYPE pgrds_cluster_planned_actions gauge
                pgrds_cluster_planned_actions{cluster="orderdata/integration"} 2
                # HELP pgrds_cluster_applied_actions Actions the last run applied.
                # TYPE pgrds_cluster_applied_actions gauge
                pgrds_cluster_applied_actions{cluster="orderdata/integration"} 1
                # HELP pgrds_node_state 1 with the node's observed state as a label.
                # TYPE pgrds_node_state gauge
                pgrds_node_state{cluster="orderdata/integration",node="pg1",state="PRIMARY"} 1
                pgrds_node_state{cluster="orderdata/integration",node="pg2",state="STANDBY"} 1
                # HELP pgrds_replication_lag_bytes Bytes a standby has yet to replay, as its primary reports.
                # TYPE pgrds_replication_lag_bytes gauge
                pgrds_replication_lag_bytes{cluster="orderdata/integration",standby="pg2"} 128
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
                "pgrds_cluster_plan_warnings{cluster=\"orderdata/integration\"} 1\n"));
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
                "pgrds_cluster_danger{cluster=\"orderdata/integration\"} 1\n"));
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
        assertEquals("a\\\"b\\\\c\\nd", Metrics.escape("a\"b\\c\nd"));
    }
}
