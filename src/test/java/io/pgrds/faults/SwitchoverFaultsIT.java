package io.pgrds.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.apply.FaultPoint;
import io.pgrds.testing.Cli;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A planned switchover (the pin moved, committed, {@code pgrds apply --auto-approve}) under continuous writes:
 * done in one go, and killed with SIGKILL at each of its fault points (a pgrds process of its own, stopped there)
 * and finished by the next apply with the file unchanged. Never two writable primaries (I1), no acknowledged
 * commit lost (I2), convergence within two applies (I3).
 */
class SwitchoverFaultsIT {
    @RegisterExtension
    static final FaultCluster cluster = FaultCluster.create(2);

    /**
     * Where an apply of a switchover can be stopped, in the order it passes them: with the lock held before and
     * after observing again (the next apply must take over the lock of the dead process), then each step.
     */
    static final List<String> POINTS = List.of(FaultPoint.APPLY_LOCKED, FaultPoint.APPLY_CHECKED,
            FaultPoint.SWITCHOVER_CHECKED, FaultPoint.SWITCHOVER_STOPPED, FaultPoint.SWITCHOVER_PROMOTED,
            FaultPoint.SWITCHOVER_MARKED, FaultPoint.SWITCHOVER_CONFIGURED);

    /** A pgrds process gets to a switchover point in 2–5 s here; the rest is the machine being shared. */
    private static final Duration REACH = Duration.ofSeconds(120);

    static Stream<Arguments> pointsAndRounds() {
        return Rounds.times(POINTS);
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aPlannedSwitchoverUnderWritesNeverHasTwoPrimariesAndLosesNoAcknowledgedCommit(int round) throws Exception {
        cluster.round("planned switchover", round, r -> {
            r.pin(r.standby());
            long before = System.nanoTime();
            Cli.Run applied = r.pgrds("apply", "--auto-approve");
            String done = "✓ switchover " + r.primary().name() + " → " + r.standby().name();
            boolean resumed = r.writer().awaitAckFrom(r.standby().name(), before, 10_000);
            r.verify(
                    Invariants.expect("the apply switched over", applied.exit() == 0 && applied.out().contains(done),
                            () -> "apply exit " + applied.exit() + (applied.out().contains(done) ? ", " + done
                                    : ", no '" + done + "'") + Invariants.said(applied)),
                    Invariants.expect("the writer commits on the new primary", resumed,
                            () -> r.standby().name() + " acknowledged " + (resumed ? "" : "no ") + "commit after the"
                                    + " switchover; last writer error: " + r.writer().lastFailure()));
        });
    }

    @ParameterizedTest(name = "{0}, round {1}")
    @MethodSource("pointsAndRounds")
    void anApplyKilledInTheMiddleOfASwitchoverIsFinishedByTheNextWithNothingLost(String point, int round)
            throws Exception {
        cluster.round("killed at " + point, round, r -> {
            r.pin(r.standby());
            PgrdsProcess p = r.start(r.process().faultPoint(point).args("apply", "--auto-approve"));
            assertTrue(p.awaitFaultPoint(REACH), () -> "the apply never reached " + point + ", so nothing was "
                    + "tested:\n" + p.describe());
            p.kill9();
            r.verify(Invariants.expect("killed at " + point, !p.alive(), () -> "pgrds (pid " + p.pid()
                    + ") stopped at " + point + " after " + String.format(java.util.Locale.ROOT, "%.1f s", p.seconds())
                    + " and was killed with SIGKILL"));
        });
    }
}
