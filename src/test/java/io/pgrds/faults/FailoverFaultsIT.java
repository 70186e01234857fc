package io.pgrds.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.apply.FaultPoint;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The primary's host dies (every PostgreSQL process SIGKILLed, its sshd gone) and is removed from the file: a
 * failover. Synchronous replication (set on the primary with ALTER SYSTEM for the round, so that every commit the
 * writer saw acknowledged is on the standby) makes "nothing lost" exact (I2).
 *
 * <ul>
 *   <li>With the cluster's fence hook, the apply fences the dead primary with it, then promotes; killed with SIGKILL
 *       before the fence, after it, and after the promotion, the next apply finishes (I3).</li>
 *   <li>With the operator's {@code --fenced}, a standby that still streams from the primary (cut off from pgrds
 *       only) proves the word wrong: refused ({@code FORMER_PRIMARY_ALIVE}); once the primary died and the standby
 *       no longer hears from it, promoted.</li>
 *   <li>Once the dead host is back (PostgreSQL still stopped, its data on the old timeline) and in the file again,
 *       it rejoins; killed inside the rejoin, the next apply finishes it.</li>
 * </ul>
 */
class FailoverFaultsIT {
    @RegisterExtension
    static final FaultCluster cluster = FaultCluster.create(2);

    static final List<String> PROMOTE_POINTS = List.of(FaultPoint.APPLY_CHECKED, FaultPoint.PROMOTE_FENCED,
            FaultPoint.PROMOTE_PROMOTED);
    static final List<String> REJOIN_POINTS = List.of(FaultPoint.REJOIN_STOPPED, FaultPoint.REJOIN_REWOUND,
            FaultPoint.REJOIN_CONFIGURED);
    private static final Duration REACH = Duration.ofSeconds(120);

    static Stream<Arguments> promotePoints() {
        return Rounds.times(PROMOTE_POINTS);
    }

    static Stream<Arguments> rejoinPoints() {
        return Rounds.times(REJOIN_POINTS);
    }

    /** Commits are acknowledged only once the standby has them: the failover's "nothing lost" is exact. */
    static void synchronous(Round r) throws InterruptedException {
        cluster.query(r.primary(), "alter system set synchronous_standby_names = '*'");
        cluster.query(r.primary(), "select pg_reload_conf()");
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!cluster.value(r.primary(), "select count(*) from pg_stat_replication where sync_state = 'sync'")
                .equals("1")) {
            assertTrue(System.nanoTime() < until, "the standby never became synchronous");
            Thread.sleep(50);
        }
        long t = System.nanoTime();
        assertTrue(r.writer().awaitAcksAfter(t, 20, 30_000), "the writer commits synchronously");
    }

    /** The primary's host dies: PostgreSQL SIGKILLed, sshd gone. Undone at the round's end: sshd back only. */
    static Round.Fault hostDies(Round r) {
        r.killPostgres(r.primary());
        return r.cutOff(r.primary());
    }

    /** A fence hook that records what it was asked to fence (the host is already dead) and says it is fenced. */
    static Path fenceHook(Round r) throws IOException {
        Files.createDirectories(r.dir());
        Path hook = r.dir().resolve("fence-node");
        Files.writeString(hook, "#!/bin/sh\necho \"$PGRDS_CLUSTER $PGRDS_NODE $PGRDS_NODE_HOST $PGRDS_NODE_PORT\" >> "
                + r.dir().resolve("fenced.log") + "\nexit 0\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        return hook;
    }

    static String fenced(Round r) throws IOException {
        Path log = r.dir().resolve("fenced.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    @ParameterizedTest(name = "{0}, round {1}")
    @MethodSource("promotePoints")
    void aFailoverFencedByTheHookAndKilledAtEachPointIsFinishedByTheNextApplyWithNothingLost(String point,
                                                                                              int round)
            throws Exception {
        cluster.round("failover by the fence hook, killed at " + point, round, r -> {
            synchronous(r);
            TestNode dead = r.primary();
            Path hook = fenceHook(r);
            Round.Fault host = hostDies(r);
            r.commit(List.of(r.standby()), null, "fence: {hook: " + hook + "}\n");
            PgrdsProcess p = r.start(r.process().faultPoint(point).args("apply", "--auto-approve"));
            assertTrue(p.awaitFaultPoint(REACH), () -> "the apply never reached " + point + ":\n" + p.describe());
            p.kill9();
            String asked = fenced(r);
            boolean hookRan = asked.contains(FaultCluster.CLUSTER + " " + dead.name() + " " + dead.address() + " "
                    + dead.pgPort());
            host.undo();
            r.verify(
                    Invariants.expect("the fence hook ran (with the node's name and address) before, and only before, "
                                    + "the promotion", point.equals(FaultPoint.APPLY_CHECKED) ? asked.isEmpty() : hookRan,
                            () -> "killed at " + point + "; fenced.log: " + (asked.isEmpty() ? "(empty)" : asked)),
                    Invariants.expect("killed at " + point, !p.alive(), () -> "pgrds stopped at " + point
                            + " and was killed with SIGKILL"));
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void theOperatorsFencedIsNotBelievedWhileTheStandbyStillHearsFromThePrimaryThenIsEnough(int round)
            throws Exception {
        cluster.round("failover confirmed by --fenced", round, r -> {
            synchronous(r);
            TestNode dead = r.primary();
            TestNode standby = r.standby();
            // cut off first, while it still streams: the standby hears from it, so it is alive
            Round.Fault cut = r.cutOff(dead);
            r.commit(List.of(standby), null);
            Cli.Run alive = r.pgrds("apply", "--auto-approve", "--fenced", dead.name());
            boolean refusedAlive = alive.exit() != 0 && alive.out().contains("FORMER_PRIMARY_ALIVE");
            boolean promotedEarly = cluster.writable(standby);
            // now the host dies for real; once the standby has not heard from it for 10 s, the word is enough
            r.killPostgres(dead);
            long died = System.nanoTime();
            Cli.Run apply;
            int attempts = 0;
            do {
                Thread.sleep(1000);
                apply = r.pgrds("apply", "--auto-approve", "--fenced", dead.name());
                attempts++;
            } while (apply.exit() != 0 && System.nanoTime() - died < Duration.ofSeconds(40).toNanos());
            Cli.Run last = apply;
            double after = (System.nanoTime() - died) / 1e9;
            int tries = attempts;
            cut.undo();
            r.verify(
                    Invariants.expect("refused while the standby streamed from the live primary",
                            refusedAlive && !promotedEarly, () -> "apply exit " + alive.exit()
                                    + (promotedEarly ? ", " + standby.name() + " PROMOTED" : "") + Invariants.said(alive)),
                    Invariants.expect("promoted on the operator's word once the standby stopped hearing",
                            last.exit() == 0 && last.out().contains("fenced by the operator"), () -> "after "
                                    + String.format(java.util.Locale.ROOT, "%.1f s", after) + " and " + tries
                                    + " applies: exit " + last.exit() + Invariants.said(last)));
        });
    }

    @ParameterizedTest(name = "{0}, round {1}")
    @MethodSource("rejoinPoints")
    void theOldPrimaryRejoiningAfterTheFailoverKilledAtEachPointIsFinishedByTheNextApply(String point, int round)
            throws Exception {
        cluster.round("rejoin killed at " + point, round, r -> {
            synchronous(r);
            TestNode old = r.primary();
            Path hook = fenceHook(r);
            Round.Fault host = hostDies(r);
            r.commit(List.of(r.standby()), null, "fence: {hook: " + hook + "}\n");
            Cli.Run failover = r.pgrds("apply", "--auto-approve");
            assertEquals(0, failover.exit(), failover::toString);
            host.undo(); // the host is back; PostgreSQL is not started by anyone
            r.commit(cluster.nodes(), r.standby(), "fence: {hook: " + hook + "}\n");
            Cli.Run plan = r.pgrds("plan");
            assertTrue(plan.out().contains("rejoin          " + old.name()), plan::toString);
            PgrdsProcess p = r.start(r.process().faultPoint(point).args("apply", "--auto-approve"));
            assertTrue(p.awaitFaultPoint(REACH), () -> "the apply never reached " + point + ":\n" + p.describe());
            p.kill9();
            r.verify(Invariants.expect("killed at " + point, !p.alive(), () -> "pgrds stopped at " + point
                    + " and was killed with SIGKILL"));
        });
    }

}
