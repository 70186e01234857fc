package io.pgrds.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.daemon.ClusterStatus;
import io.pgrds.daemon.Daemon;
import io.pgrds.desired.ClusterId;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import io.pgrds.transport.ShellOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The old primary comes back after a failover, running: its host died, the standby was promoted (the fence hook
 * confirmed it), then the host returned and something outside pgrds started its PostgreSQL again — on its old
 * timeline, accepting writes beside the new primary. The daemon, under the default policy {@code safe}, must stop it
 * at its next run (a {@code fence} is never held back), and report the cluster in DANGER meanwhile only if it could
 * not; its rewind stays held back, so it stays stopped.
 *
 * <p>The second writable node is the fault itself (the test started it); pgrds is held to ending it at its first
 * run, and to never two writable nodes after that (I1 from then on). Commits the writer got acknowledged by the
 * stale node in between are counted apart: they stay in its data directory, which is kept (I2 over the rest).
 */
class StalePrimaryIT {
    @RegisterExtension
    static final FaultCluster cluster = FaultCluster.create(2);

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aStaleOldPrimaryThatStartsAgainIsStoppedByTheDaemonUnderPolicySafe(int round) throws Exception {
        cluster.round("stale old primary back, daemon policy safe", round, r -> {
            FailoverFaultsIT.synchronous(r);
            TestNode old = r.primary();
            TestNode current = r.standby();
            Path hook = FailoverFaultsIT.fenceHook(r);
            Round.Fault host = FailoverFaultsIT.hostDies(r);
            String extra = "fence: {hook: " + hook + "}\nreconcile: {policy: safe}\n";
            r.commit(List.of(current), null, extra);
            Cli.Run failover = r.pgrds("apply", "--auto-approve");
            assertEquals(0, failover.exit(), failover::toString);
            host.undo();
            // the fault: PostgreSQL on the old primary's host starts again by itself
            long back = System.nanoTime();
            cluster.hosts().start(old);
            // it died a synchronous primary (no commit lost at the failover); alone, it would acknowledge no commit,
            // which is no second writable primary at all. The fault is one that does: as if restarted with the
            // settings it was created with
            cluster.query(old, "alter system reset synchronous_standby_names");
            cluster.query(old, "select pg_reload_conf()");
            assertTrue(r.monitor().awaitWritable(Set.of(old.name(), current.name()), Duration.ofSeconds(20)),
                    "the stale old primary never accepted writes beside the new one: nothing was tested");
            long stopped;
            List<String> dangers = new ArrayList<>();
            ClusterId id = ClusterId.parse(FaultCluster.CLUSTER);
            try (Daemon daemon = new Daemon(new Daemon.Config(cluster.repo().toString(), null,
                    Duration.ofSeconds(2), null, Optional.empty(), Optional.empty(), r.dir().resolve("daemon-cache"),
                    ShellOptions.defaults(), 4, Duration.ofSeconds(30), Duration.ofSeconds(300), 2,
                    "pgrds-faults-" + System.nanoTime(), "faults-daemon")).start()) {
                long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (daemon.status(id).flatMap(ClusterStatus::lastRunAt).isEmpty()) {
                    assertTrue(System.nanoTime() < until, "the daemon's first run did not end");
                    Thread.sleep(50);
                }
                stopped = System.nanoTime();
                daemon.status(id).ifPresent(s -> dangers.addAll(s.dangers()));
            }
            boolean fenced = !cluster.hosts().isRunning(old);
            double window = (stopped - back) / 1e9;
            List<Invariants.Check> checks = new ArrayList<>();
            checks.add(Invariants.expect("the daemon (policy safe) stopped the stale old primary in its first run",
                    fenced && dangers.isEmpty(), () -> old.name() + (fenced ? " stopped" : " STILL RUNNING")
                            + String.format(java.util.Locale.ROOT, " %.1f s after it came back", window)
                            + (dangers.isEmpty() ? "" : "; status dangers: " + dangers)));
            checks.add(Invariants.converge(r));
            checks.add(Invariants.i1After(r, stopped));
            checks.add(Invariants.i2(r, ack -> !(ack.node().equals(old.name()) && ack.nanos() >= back)));
            long onStale = r.writer().acks().stream().filter(a -> a.node().equals(old.name()) && a.nanos() >= back)
                    .count();
            System.out.printf(java.util.Locale.ROOT, "fault suite: the stale old primary accepted writes for %.1f s "
                    + "until the daemon's first run stopped it; %d commits acknowledged there stay in its data "
                    + "directory%n", window, onStale);
            Invariants.assertHold(checks);
        });
    }
}
