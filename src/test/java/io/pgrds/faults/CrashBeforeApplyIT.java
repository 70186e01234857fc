package io.pgrds.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A switchover is planned while the standby is in sync; before it is applied, the primary crashes with commits its
 * standby never received. The fault: replication to the standby is paused (SIGSTOP to the primary's WAL sender and
 * the standby's WAL receiver), the primary acknowledges commits alone ({@code synchronous_commit = local}, no
 * synchronous standby: asynchronous replication), then the primary is SIGKILLed and replication continued. The
 * standby now lacks acknowledged commits, which only the crashed primary's data directory holds.
 *
 * <p>The apply of that plan — a saved plan, or an apply that planned and then waited for the lock — must refuse
 * (the servers are no longer what it planned for: the primary is not running) and change nothing (I5). A
 * switchover that went ahead would promote the standby without those commits and rewind the old primary: they
 * would be lost (I2).
 *
 * <p><b>Expected convergence</b> (I3, decided here): the file is left as it is, pin on the standby. The next
 * {@code pgrds apply} — at most two — starts the crashed primary again as primary (crash recovery keeps its
 * commits), and once the standby streams from it and caught up, switches over to the pinned standby without loss.
 * Every acknowledged commit must then be on the final primary (I2), and there was never a second writable node
 * (I1). Refusing forever (today: {@code SWITCHOVER_TARGET_NOT_READY}, "the primary is stopped") does not converge.
 */
class CrashBeforeApplyIT {
    @RegisterExtension
    static final FaultCluster cluster = FaultCluster.create(2).parameters("max_connections: 50, synchronous_commit: local");

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final String WAITING = "waiting for another apply";
    /** Commits acknowledged by the primary alone before it crashes. */
    private static final int UNREPLICATED = 200;

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aSavedSwitchoverPlanIsRefusedAfterThePrimaryCrashedAndTheNextApplyKeepsItsCommits(int round)
            throws Exception {
        cluster.round("saved plan, primary crashed", round, r -> {
            r.pin(r.standby());
            Path saved = r.dir().resolve("switchover.plan");
            Cli.Run plan = r.pgrds("plan", "--out", saved.toString());
            assertEquals(0, plan.exit(), plan::toString);
            assertTrue(plan.out().contains("switchover      " + r.primary().name() + " → " + r.standby().name()),
                    plan::toString);
            long lacking = crashWithUnreplicatedCommits(r);
            Invariants.Snapshot before = r.snapshot();
            Cli.Run stale = r.pgrds("apply", saved.toString(), "--auto-approve");
            Invariants.Snapshot after = r.snapshot();
            boolean promoted = cluster.writable(r.standby());
            r.verify(
                    Invariants.expect("the saved plan is refused", stale.exit() != 0
                            && !stale.out().contains("✓ switchover") && !promoted, () -> "apply of the saved plan "
                            + "exit " + stale.exit() + (promoted ? ", " + r.standby().name() + " promoted" : "")
                            + Invariants.said(stale)),
                    Invariants.unchanged("the refused saved plan", before, after),
                    lacked(r, lacking));
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void anApplyWaitingForTheLockWhenThePrimaryCrashesRefusesAndTheNextApplyKeepsItsCommits(int round)
            throws Exception {
        cluster.round("waiting for the lock, primary crashed", round, r -> {
            r.pin(r.standby());
            Round.Fault lock = r.holdLock();
            PgrdsProcess p = r.start(r.process().args("apply", "--auto-approve"));
            assertTrue(p.awaitOutput(WAITING, PATIENCE), () -> "the apply never waited for the lock:\n"
                    + p.describe());
            assertTrue(p.out().contains("switchover      " + r.primary().name() + " → " + r.standby().name()),
                    p::describe);
            long lacking = crashWithUnreplicatedCommits(r);
            Invariants.Snapshot before = r.snapshot();
            lock.undo();
            int exit = p.awaitExit(PATIENCE);
            Invariants.Snapshot after = r.snapshot();
            boolean promoted = cluster.writable(r.standby());
            r.verify(
                    Invariants.expect("the apply that waited refuses", exit != 0
                            && !p.out().contains("✓ switchover") && !promoted, () -> "the apply that waited exit "
                            + exit + (p.out().contains("✓ switchover") ? ", switched over" : "")
                            + (promoted ? ", " + r.standby().name() + " promoted" : "") + ": "
                            + String.join(" | ", p.out().lines().filter(l -> l.contains("✓") || l.contains("✗")
                            || l.contains("rewind")).toList()) + " " + p.err().strip()),
                    Invariants.unchanged("the apply that waited", before, after),
                    lacked(r, lacking));
        });
    }

    /**
     * The fault: replication paused, {@value #UNREPLICATED} commits acknowledged by the primary alone, the primary
     * SIGKILLed, replication continued. Returns how many acknowledged commits the standby lacks, after asserting
     * that it lacks some (else the scenario tests nothing).
     */
    private static long crashWithUnreplicatedCommits(Round r) throws Exception {
        TestNode primary = r.primary();
        TestNode standby = r.standby();
        Round.Fault paused = r.pauseReplication(primary, standby);
        long t = System.nanoTime();
        assertTrue(r.writer().awaitAcksAfter(t, UNREPLICATED, 30_000), () -> "the primary acknowledged only "
                + r.writer().ackedSince(t) + " commits while replication was paused: " + r.writer().lastFailure());
        r.killPostgres(primary);
        paused.undo();
        Thread.sleep(300); // whatever the standby still had to replay
        long[] onStandby = cluster.query(standby, "select id from writes order by id").stream()
                .mapToLong(row -> Long.parseLong(row.get(0))).toArray();
        long lacking = Arrays.stream(r.writer().ackedIds()).filter(id -> Arrays.binarySearch(onStandby, id) < 0)
                .count();
        assertTrue(lacking > 0, () -> "the fault did not happen: " + standby.name() + " has every acknowledged "
                + "commit although replication was paused before the last " + UNREPLICATED);
        return lacking;
    }

    private static Invariants.Check lacked(Round r, long lacking) {
        return Invariants.expect("the fault happened", true, () -> r.standby().name() + " lacked " + lacking
                + " commits acknowledged by " + r.primary().name() + " alone before it was killed");
    }
}
