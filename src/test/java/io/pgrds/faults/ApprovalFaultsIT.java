package io.pgrds.faults;

import io.pgrds.testing.Cli;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A person reviews a switchover on the terminal while the primary crashes with commits the standby may lack; then
 * types {@code yes}. The apply takes the lock, observes again, plans again: the plan is not the one approved any
 * more, so it stops with {@code PLAN_STALE} having changed nothing (I5) — it never promotes the standby over the
 * crashed primary's last commits. The next apply (the file unchanged) starts the old primary and hands over without
 * loss (I3, I2).
 */
class ApprovalFaultsIT {
    @RegisterExtension
    static final FaultCluster cluster = FaultCluster.create(2);

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void thePrimaryCrashingWhileApplyWaitsForYesMakesTheApplyStopAndChangeNothing(int round) throws Exception {
        cluster.round("primary crashed while apply waits for yes", round, r -> {
            r.pin(r.standby());
            AtomicReference<Invariants.Snapshot> before = new AtomicReference<>();
            Cli.Run apply = Cli.interactive(() -> {
                // the question is on the screen: the primary crashes before the person answers
                r.killPostgres(r.primary());
                before.set(r.snapshot());
                return "yes";
            }, "--repo", cluster.repo().toString(), "apply");
            Invariants.Snapshot after = r.snapshot();
            boolean asked = apply.out().contains("Apply these changes?");
            r.verify(
                    Invariants.expect("the apply asked, then stopped as stale", asked && apply.exit() != 0
                            && apply.err().contains("PLAN_STALE") && !apply.out().contains("✓ switchover"),
                            () -> "asked: " + asked + ", exit " + apply.exit() + Invariants.said(apply)),
                    Invariants.unchanged("the stale apply", before.get(), after));
        });
    }
}
