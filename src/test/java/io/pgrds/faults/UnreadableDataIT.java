package io.pgrds.faults;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.ErrorCode;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A running primary whose data directory the postgres user can no longer read — the directory above it made
 * {@code chmod 000}, or its path turned into a symbolic link into a directory postgres cannot enter — while the
 * server runs on (it holds its working directory) and accepts writes. pgrds cannot tell what the node holds:
 * it is UNKNOWN, never EMPTY. {@code pgrds plan} must refuse ({@code NODE_UNKNOWN}), and {@code pgrds apply} must
 * not promote the standby: that would be a second writable primary (I1). The file is not changed.
 *
 * <p>Afterwards the directory is readable again and apply converges (I3) with nothing lost (I2).
 */
class UnreadableDataIT {
    @RegisterExtension
    static final FaultCluster cluster = FaultCluster.create(2);

    static Stream<Arguments> waysAndRounds() {
        return Rounds.times(List.of(Round.Unreadable.values()));
    }

    @ParameterizedTest(name = "{0}, round {1}")
    @MethodSource("waysAndRounds")
    void aRunningPrimaryWhoseDataDirectoryCannotBeReadIsUnknownAndItsStandbyIsNotPromoted(Round.Unreadable how,
                                                                                        int round) throws Exception {
        cluster.round("unreadable data directory (" + how.name().toLowerCase(java.util.Locale.ROOT) + ")", round,
                r -> {
            TestNode primary = r.primary();
            TestNode standby = r.standby();
            Round.Fault unreadable = r.unreadableData(primary, how);
            // the fault: postgres cannot see the directory, the server still accepts writes
            assertFalse(cluster.hosts().tryRun("runuser", "-u", "postgres", "--", "test", "-d",
                    primary.dataDirectory().toString()).ok(), "postgres can still see " + primary.dataDirectory());
            long t = System.nanoTime();
            assertTrue(r.writer().awaitAckFrom(primary.name(), t, 10_000), "the primary still accepts writes");
            Cli.Run plan = r.pgrds("plan");
            Cli.Run apply = r.pgrds("apply", "--auto-approve");
            boolean promoted = cluster.writable(standby);
            unreadable.undo();
            r.verify(
                    Invariants.expect("plan refuses: " + primary.name() + " is UNKNOWN, not EMPTY",
                            plan.exit() == ErrorCode.PLAN_REFUSED.exitCode() && plan.out().contains("NODE_UNKNOWN") && plan.out().contains(primary.name()),
                            () -> "plan exit " + plan.exit() + Invariants.said(plan)),
                    Invariants.expect("apply does not promote " + standby.name(),
                            apply.exit() != 0 && !promoted && !apply.out().contains("✓ promote"),
                            () -> "apply exit " + apply.exit() + (promoted ? ", " + standby.name() + " PROMOTED while "
                                    + primary.name() + " accepted writes" : "") + Invariants.said(apply)));
        });
    }
}
