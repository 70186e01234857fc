package io.pgrds.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.apply.FaultPoint;
import io.pgrds.daemon.Daemon;
import io.pgrds.daemon.JobStores;
import io.pgrds.daemon.WatchState;
import io.pgrds.desired.ClusterId;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import io.pgrds.transport.ShellOptions;
import io.pgrds.util.Json;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Automatic failover under writes: three nodes, {@code durability: {quorum: 1}}, {@code failover: automatic} (a
 * health check every second, the primary lost after 4 s), the daemon on the clustered job store of a fourth node.
 * The writer records every acknowledged commit; after each round the invariants: never two nodes completing commits
 * (I1), no acknowledged commit missing on the final primary (I2), a cluster pgrds converges (I3). The write gap is
 * the longest the writer went without an acknowledged commit from the fault to the recovery.
 */
class AutoFailoverIT {
    static final String HA = "durability: {quorum: 1}\nreconcile: {failover: automatic}\n";

    @RegisterExtension
    static final FaultCluster cluster = FaultCluster.withJobStore(3).yaml(HA);

    private static final ClusterId ID = ClusterId.parse(FaultCluster.CLUSTER);
    private static final String SCHEDULER = "pgrds-autofailover";

    /** A daemon in this JVM on the job store, every cluster run at most every 30 s (the watch is what matters). */
    static Daemon daemon(Round r, String name) {
        return daemon(r, name, Duration.ofSeconds(30));
    }

    static Daemon daemon(Round r, String name, Duration interval) {
        JobStores.Jdbc jdbc = new JobStores.Jdbc(cluster.jobStore(), Optional.empty(), 5000);
        return new Daemon(new Daemon.Config(cluster.repo().toString(), null, interval, null,
                Optional.empty(), Optional.of(jdbc), r.dir().resolve("cache-" + name), ShellOptions.defaults(), 4,
                Duration.ofSeconds(10), Duration.ofSeconds(30), 2, SCHEDULER, name)).start();
    }

    /** Waits until the daemon's watch of the cluster is in a state {@code wanted} accepts; the state then. */
    static WatchState awaitWatch(Daemon d, Predicate<WatchState> wanted, Duration patience, String what)
            throws InterruptedException {
        long until = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < until) {
            WatchState w = d.watches().get(ID);
            if (w != null && wanted.test(w)) {
                return w;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(what + " within " + patience.toSeconds() + " s; the watch: " + d.watches().get(ID));
    }

    static WatchState watching(Daemon d) throws InterruptedException {
        return awaitWatch(d, w -> w.state().equals("watching"), Duration.ofSeconds(60), "the daemon watches");
    }

    /** The first of {@code nodes} to accept writes, asked every 50 ms; empty after {@code patience}. */
    static Optional<TestNode> awaitWritable(List<TestNode> nodes, Duration patience) throws InterruptedException {
        long until = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < until) {
            for (TestNode n : nodes) {
                if (cluster.writable(n)) {
                    return Optional.of(n);
                }
            }
            Thread.sleep(50);
        }
        return Optional.empty();
    }

    /** The file as the round found it, without a pin: after a failover the new primary is as good as the old one. */
    static void unpinned(Round r) {
        r.commit(cluster.members(), null);
    }

    /** The write gap from {@code fault} to now: the longest pause between two acknowledged commits. */
    static long gap(Round r, long fault) {
        long g = r.writer().longestGap(fault, System.nanoTime()).millis();
        r.figures().gapMs = OptionalLong.of(g);
        return g;
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void theHostOfThePrimaryDiesAndAStandbyTakesOverWithinSecondsWithNothingLost(int round) throws Exception {
        cluster.round("host death of the primary, quorum 1", round, r -> {
            unpinned(r);
            TestNode old = r.primary();
            try (Daemon d = daemon(r, "a")) {
                watching(d);
                long fault = System.nanoTime();
                Round.Fault host = FailoverFaultsIT.hostDies(r);
                Optional<TestNode> next = awaitWritable(r.standbys(), Duration.ofSeconds(30));
                assertTrue(next.isPresent(), "no standby took over within 30 s; the watch: " + d.watches().get(ID));
                assertTrue(r.writer().awaitAckAfter(System.nanoTime(), 30_000), "the writer never wrote again");
                long gap = gap(r, fault);
                WatchState w = awaitWatch(d, s -> s.failovers() == 1, Duration.ofSeconds(10), "the watch counts it");
                host.undo();
                List<Invariants.Check> checks = new ArrayList<>();
                checks.add(Invariants.expect("the watch failed over from " + old.name(), w.lastFailover()
                        .filter(f -> f.from().equals(old.name()) && f.to().equals(next.get().name())).isPresent(),
                        w::toString));
                checks.add(Invariants.expect("writes back within 15 s of the host's death", gap <= 15_000,
                        () -> "write gap " + gap + " ms; the watch measured " + w.lastFailover()
                                .map(WatchState.Failover::writableAfterMillis).orElse(-1L) + " ms"));
                r.verify(checks.toArray(new Invariants.Check[0]));
            }
        });
    }

    /**
     * The floor {@code bench/failover.sh} sets beside the host-death scenario (not a test: skipped unless
     * {@code -Dpgrds.bench.floor=true}): the same death, the same writer, and by hand at the moment of death what
     * brings writes back at the least — {@code pg_ctl promote} on the most advanced standby and the other standby
     * repointed to it (a quorum of 1 needs one standby to acknowledge) — with no detection time at all.
     */
    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void floorPromotedByHandAtTheMomentOfDeath(int round) throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("pgrds.bench.floor"), "the floor runs in bench/failover.sh only");
        cluster.round("floor: pg_ctl promote by hand at the host's death", round, r -> {
            unpinned(r);
            TestNode old = r.primary();
            long fault = System.nanoTime();
            Round.Fault host = FailoverFaultsIT.hostDies(r);
            List<TestNode> standbys = new ArrayList<>(r.standbys());
            standbys.sort(java.util.Comparator.comparingLong((TestNode n) -> Long.parseLong(cluster.value(n,
                    "select pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::bigint"))).reversed());
            TestNode next = standbys.get(0);
            cluster.hosts().run("runuser", "-u", "postgres", "--", next.binDir() + "/pg_ctl", "promote", "-D",
                    next.dataDirectory().toString());
            for (TestNode other : standbys.subList(1, standbys.size())) {
                String conninfo = cluster.value(other, "show primary_conninfo").replace("host=" + old.address(),
                        "host=" + next.address());
                cluster.query(other, "alter system set primary_conninfo = " + io.pgrds.util.Sql.literal(conninfo));
                cluster.query(other, "select pg_reload_conf()");
            }
            assertTrue(r.writer().awaitAckFrom(next.name(), System.nanoTime(), 30_000), "the writer never wrote");
            gap(r, fault);
            for (TestNode other : standbys.subList(1, standbys.size())) {
                cluster.query(other, "alter system reset primary_conninfo");
                cluster.query(other, "select pg_reload_conf()");
            }
            host.undo();
            r.commit(cluster.members(), next);
            r.verify();
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aPostmasterCrashOnAHostThatAnswersIsARestartInPlaceNotAFailover(int round) throws Exception {
        cluster.round("postmaster crash, host alive", round, r -> {
            unpinned(r);
            TestNode primary = r.primary();
            try (Daemon d = daemon(r, "a")) {
                watching(d);
                long fault = System.nanoTime();
                r.killPostgres(primary);
                Optional<TestNode> back = awaitWritable(cluster.members(), Duration.ofSeconds(30));
                assertTrue(r.writer().awaitAckAfter(System.nanoTime(), 30_000), "the writer never wrote again");
                long gap = gap(r, fault);
                WatchState w = d.watches().get(ID);
                r.verify(Invariants.expect("the primary was restarted where it was, no failover",
                                back.filter(primary::equals).isPresent() && w.failovers() == 0,
                                () -> "writable: " + back.map(TestNode::name).orElse("none") + "; the watch: " + w),
                        Invariants.expect("writes back within 15 s", gap <= 15_000, () -> "write gap " + gap + " ms"));
            }
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aPrimaryThatCrashesAgainAndAgainIsFailedOverFromTheThirdTime(int round) throws Exception {
        cluster.round("crash loop", round, r -> {
            unpinned(r);
            TestNode primary = r.primary();
            try (Daemon d = daemon(r, "a")) {
                watching(d);
                for (int crash = 1; crash <= 2; crash++) {
                    r.killPostgres(primary);
                    assertTrue(awaitWritable(List.of(primary), Duration.ofSeconds(30)).isPresent(),
                            "crash " + crash + ": not restarted in place; the watch: " + d.watches().get(ID));
                    watching(d);
                }
                long fault = System.nanoTime();
                r.killPostgres(primary);
                Optional<TestNode> next = awaitWritable(r.standbys(), Duration.ofSeconds(30));
                assertTrue(next.isPresent(), "the third crash was not failed over; the watch: " + d.watches().get(ID));
                assertTrue(r.writer().awaitAckAfter(System.nanoTime(), 30_000), "the writer never wrote again");
                gap(r, fault);
                r.verify(Invariants.expect(primary.name() + " is kept stopped", !cluster.hosts().isRunning(primary),
                        () -> primary.name() + " runs again"));
            }
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aPrimaryCutOffFromPgrdsOnlyIsNotFailedOverItsStandbysStillHearIt(int round) throws Exception {
        cluster.round("primary cut off from pgrds only", round, r -> {
            unpinned(r);
            TestNode primary = r.primary();
            try (Daemon d = daemon(r, "a")) {
                watching(d);
                long fault = System.nanoTime();
                Round.Fault cut = r.cutOff(primary);
                WatchState vetoed = awaitWatch(d, w -> w.message().filter(m -> m.contains("still hears")).isPresent(),
                        Duration.ofSeconds(30), "the watch says a standby still hears the primary");
                Thread.sleep(3000); // and goes on not failing over
                boolean stillPrimary = cluster.writable(primary) && r.standbys().stream().noneMatch(cluster::writable);
                long gap = gap(r, fault);
                WatchState w = d.watches().get(ID);
                cut.undo();
                r.verify(Invariants.expect("no failover while the standbys hear the primary", stillPrimary
                                && w.failovers() == 0, () -> "the watch: " + w + " (vetoed: " + vetoed.message() + ")"),
                        Invariants.expect("writes went on", gap <= 2_000, () -> "write gap " + gap + " ms"));
            }
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aPrimaryCutOffFromPgrdsAndItsStandbysIsFailedOverByTheQuorumAndCompletesNoCommitAfter(int round)
            throws Exception {
        cluster.round("primary isolated, quorum 1", round, r -> {
            unpinned(r);
            TestNode old = r.primary();
            try (Daemon d = daemon(r, "a")) {
                watching(d);
                long fault = System.nanoTime();
                Round.Fault isolated = r.isolate(old);
                Optional<TestNode> next = awaitWritable(r.standbys(), Duration.ofSeconds(30));
                assertTrue(next.isPresent(), "no standby took over within 30 s; the watch: " + d.watches().get(ID));
                assertTrue(r.writer().awaitAckFrom(next.get().name(), System.nanoTime(), 30_000),
                        "the writer never wrote to the new primary");
                long gap = gap(r, fault);
                WatchState w = awaitWatch(d, s -> s.failovers() == 1, Duration.ofSeconds(10), "the watch counts it");
                long writable = w.lastFailover().map(WatchState.Failover::writableAfterMillis).orElse(-1L);
                // the fault's own second "primary": it still runs as one, but can complete no commit (no standby)
                boolean oldRunsAsPrimary = cluster.value(old, "select not pg_is_in_recovery()").equals("t");
                isolated.undo();
                // a client that happens to connect to the old primary (it still says it is one) waits there until its
                // own socket timeout (4 s for this writer) before it tries the next host: its gap is pgrds's time to
                // writable plus that, so pgrds's own time is held to 15 s and the writer's to 30 s
                r.verify(Invariants.expect("the fault happened: " + old.name() + " still ran as a primary, cut off",
                                oldRunsAsPrimary, () -> old.name() + " no longer ran as a primary"),
                        Invariants.expect("the isolated old primary completed no commit after the new one's first",
                                r.writer().interleavings().isEmpty(), () -> "acknowledged alternately: "
                                        + r.writer().interleavings()),
                        Invariants.expect("the new primary writable within 15 s of the first failed check",
                                writable >= 0 && writable <= 15_000, w::toString),
                        Invariants.expect("the writer back within 30 s", gap <= 30_000,
                                () -> "write gap " + gap + " ms"));
            }
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void anIsolatedAsyncPrimaryWithoutAFenceHookIsNotFailedOverButAlerted(int round) throws Exception {
        cluster.round("primary isolated, async, no fence hook", round, r -> {
            r.commit(cluster.members(), null, "reconcile: {failover: automatic}\n");
            TestNode old = r.primary();
            try (Daemon d = daemon(r, "a")) {
                watching(d);
                Round.Fault isolated = r.isolate(old);
                WatchState alert = awaitWatch(d, w -> w.message().filter(m -> m.contains("no failover")).isPresent(),
                        Duration.ofSeconds(30), "the watch says there is no failover");
                Thread.sleep(3000); // and goes on not failing over
                boolean noStandbyWritable = r.standbys().stream().noneMatch(cluster::writable);
                WatchState w = d.watches().get(ID);
                isolated.undo();
                r.verify(Invariants.expect("no standby was promoted beside the unfenced primary", noStandbyWritable
                                && w.failovers() == 0, () -> "the watch: " + w),
                        Invariants.expect("the alert names the fence hook and the quorum", alert.message()
                                .filter(m -> m.contains("fence") && m.contains(old.name())).isPresent(),
                                alert::toString));
            }
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void theWatchingDaemonKilledInTheMiddleOfAFailoverIsReplacedByAnotherThatFinishesIt(int round) throws Exception {
        cluster.round("watching daemon killed during the failover", round, r -> {
            unpinned(r);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            PgrdsProcess a = r.start(r.process().faultPoint(FaultPoint.FAILOVER_DETACHED).args("daemon", "--job-store",
                    cluster.jobStore(), "--http", "127.0.0.1:" + port, "--interval", "30s", "--scheduler-name",
                    SCHEDULER));
            awaitHttpWatch(port, "watching", Duration.ofSeconds(60), a);
            try (Daemon b = daemon(r, "b")) {
                awaitWatch(b, w -> w.state().equals("elsewhere"), Duration.ofSeconds(30), "b sees a watching");
                long fault = System.nanoTime();
                Round.Fault host = FailoverFaultsIT.hostDies(r);
                assertTrue(a.awaitFaultPoint(Duration.ofSeconds(60)), "a never detached the standbys: "
                        + a.describe());
                a.kill9();
                Optional<TestNode> next = awaitWritable(r.standbys(), Duration.ofSeconds(40));
                assertTrue(next.isPresent(), "b did not finish the failover; b's watch: " + b.watches().get(ID));
                assertTrue(r.writer().awaitAckAfter(System.nanoTime(), 30_000), "the writer never wrote again");
                long gap = gap(r, fault);
                WatchState w = awaitWatch(b, s -> s.failovers() == 1, Duration.ofSeconds(10), "b counts it");
                host.undo();
                r.verify(Invariants.expect("b took the watch over and failed over", w.failovers() == 1,
                        w::toString), Invariants.expect("writes back within 30 s", gap <= 30_000,
                        () -> "write gap " + gap + " ms"));
            }
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void afterAFailoverThePinIsAPreferenceEvenPolicyFullNeverSwitchesBackAPersonDoes(int round) throws Exception {
        cluster.round("pinned primary lost under policy full, no switch back", round, r -> {
            TestNode old = r.primary();
            r.commit(cluster.members(), old, "durability: {quorum: 1}\nreconcile: {failover: automatic, policy: "
                    + "full}\n");
            TestNode next;
            ClusterStatusView seen;
            try (Daemon d = daemon(r, "a", Duration.ofSeconds(3))) {
                watching(d);
                Round.Fault host = FailoverFaultsIT.hostDies(r);
                Optional<TestNode> promoted = awaitWritable(r.standbys(), Duration.ofSeconds(30));
                assertTrue(promoted.isPresent(), "no standby took over; the watch: " + d.watches().get(ID));
                next = promoted.get();
                awaitWatch(d, s -> s.failovers() == 1, Duration.ofSeconds(10), "the watch counts it");
                host.undo();
                // policy full rejoins the old primary as a standby, keeps the new one and warns that switching
                // back to the pin is a person's call (nothing held: the rest of the plan still applies)
                seen = awaitStatus(d, st -> st.nodes().get(old.name()) != null
                        && st.nodes().get(old.name()).equals("STANDBY") && st.warnings().stream().anyMatch(w ->
                        w.contains(next.name() + " has been the primary since the failover at")),
                        Duration.ofSeconds(120));
                // and keeps holding it, run after run
                Thread.sleep(8_000);
            }
            boolean stillNext = cluster.writable(next) && !cluster.writable(old);
            Cli.Run plan = r.pgrds("plan");
            boolean explained = plan.out().contains("since the failover at") && plan.out().contains("by pgrds-daemon@")
                    && plan.out().contains("the daemon never switches back by itself");
            // the person keeps the new primary: the file pins it, and nothing is to be switched (a person's apply
            // switching back within this round's writer would make the writer's node1, node2, node1 pattern that
            // the I1 evidence flags, so the plan scenario switchover-back-after-failover-held-for-a-person covers it)
            r.commit(cluster.members(), next, "durability: {quorum: 1}\nreconcile: {failover: automatic, policy: "
                    + "full}\n");
            Cli.Run kept = r.pgrds("plan");
            boolean noSwitch = !kept.out().contains("switchover");
            r.verify(Invariants.expect("pinning " + next.name() + " leaves nothing to switch", noSwitch,
                            () -> Invariants.said(kept)),
                    Invariants.expect("the daemon rejoined " + old.name() + ", kept " + next.name() + " and said why",
                            seen != null, () -> "status never showed it"),
                    Invariants.expect(next.name() + " stays primary under policy full", stillNext,
                            () -> "writable after the daemon's runs: " + next.name() + " no, or " + old.name()
                                    + " yes"),
                    Invariants.expect("the plan says why the switch back waits for a person", explained,
                            () -> Invariants.said(plan)));
        });
    }

    /** What the daemon's status said of the cluster when {@code wanted} first held (polled every 200 ms). */
    record ClusterStatusView(java.util.SortedMap<String, String> nodes, List<String> heldBack, List<String> warnings) {
    }

    static ClusterStatusView awaitStatus(Daemon d, Predicate<ClusterStatusView> wanted, Duration patience)
            throws InterruptedException {
        long until = System.nanoTime() + patience.toNanos();
        ClusterStatusView last = null;
        while (System.nanoTime() < until) {
            Optional<io.pgrds.daemon.ClusterStatus> s = d.status(ID);
            if (s.isPresent()) {
                last = new ClusterStatusView(s.get().nodes(), s.get().heldBack(), s.get().warnings());
                if (wanted.test(last)) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the daemon's status within " + patience.toSeconds() + " s; last: " + last);
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aPlannedSwitchoverWithQuorumTwoWaitsForBothStandbysToHoldTheHandoverPoint(int round) throws Exception {
        cluster.round("planned switchover, quorum 2", round, r -> {
            TestNode to = r.standbys().get(0);
            r.commit(cluster.members(), to, "durability: {quorum: 2}\n");
            long before = System.nanoTime();
            Cli.Run applied = r.pgrds("apply", "--auto-approve");
            String done = "✓ switchover " + r.primary().name() + " → " + to.name();
            boolean resumed = r.writer().awaitAckFrom(to.name(), before, 10_000);
            long gap = gap(r, before);
            r.verify(Invariants.expect("the apply waited for the quorum and switched over", applied.exit() == 0
                                    && applied.out().contains(done) && applied.out().contains("quorum 2"),
                            () -> "apply exit " + applied.exit() + Invariants.said(applied)),
                    Invariants.expect("the writer commits on the new primary (two standbys acknowledge)", resumed,
                            () -> "last writer error: " + r.writer().lastFailure()));
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aQuorumTwoSwitchoverKilledAfterTheOldPrimaryStoppedIsFinishedByTheNextApplyWithTheQuorum(int round)
            throws Exception {
        cluster.round("quorum-2 switchover killed at " + FaultPoint.SWITCHOVER_STOPPED, round, r -> {
            TestNode to = r.standbys().get(0);
            r.commit(cluster.members(), to, "durability: {quorum: 2}\n");
            // killed after the clean shutdown, before the wait for the quorum: the next apply finds the old primary
            // stopped cleanly and the target caught up, and must still wait for the quorum before promoting
            PgrdsProcess p = r.start(r.process().faultPoint(FaultPoint.SWITCHOVER_STOPPED).args("apply",
                    "--auto-approve"));
            assertTrue(p.awaitFaultPoint(Duration.ofSeconds(120)), () -> "the apply never reached "
                    + FaultPoint.SWITCHOVER_STOPPED + ", so nothing was tested:\n" + p.describe());
            p.kill9();
            Cli.Run next = r.pgrds("apply", "--auto-approve");
            String done = "✓ switchover " + r.primary().name() + " → " + to.name();
            boolean resumed = r.writer().awaitAckFrom(to.name(), System.nanoTime() - 60_000_000_000L, 15_000);
            r.verify(Invariants.expect("killed at " + FaultPoint.SWITCHOVER_STOPPED, !p.alive(),
                            () -> "pgrds (pid " + p.pid() + ") was not killed"),
                    Invariants.expect("the next apply completed the switchover with the quorum", next.exit() == 0
                                    && next.out().contains(done) && next.out().contains("quorum 2"),
                            () -> "apply exit " + next.exit() + Invariants.said(next)),
                    Invariants.expect("the writer commits on " + to.name() + " (two standbys acknowledge)", resumed,
                            () -> "last writer error: " + r.writer().lastFailure()));
        });
    }

    /** Waits until the daemon process's /status shows the cluster's watch in {@code state}. */
    static void awaitHttpWatch(int port, String state, Duration patience, PgrdsProcess p) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long until = System.nanoTime() + patience.toNanos();
        String last = "";
        while (System.nanoTime() < until) {
            try {
                HttpResponse<String> rs = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/status")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                last = rs.body();
                for (JsonNode c : Json.mapper().readTree(rs.body()).path("clusters")) {
                    if (c.path("cluster").asText().equals(ID.toString())
                            && c.path("watch").path("state").asText().equals(state)) {
                        return;
                    }
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the daemon process never showed the watch " + state + ": " + last + "\n"
                + p.describe());
    }
}
