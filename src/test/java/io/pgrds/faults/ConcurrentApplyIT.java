package io.pgrds.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.daemon.Daemon;
import io.pgrds.desired.ClusterId;
import io.pgrds.harness.TestNode;
import io.pgrds.transport.ShellOptions;
import io.pgrds.util.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Two applies of the same change at once: both planned the same switchover against the same servers, and both
 * wait for the cluster's lock. Exactly one switches over; the other, once it has the lock, must see that the
 * servers changed since it planned, exit non-zero saying so and change nothing — no marker, no role, no server
 * (I5). Never two writable primaries (I1), no acknowledged commit lost (I2).
 *
 * <p>To have both plan before either acts, the test holds the lock itself until both say they are waiting for it.
 * The order is then forced where the test needs to look between the two: the one that must lose is stopped with
 * SIGSTOP (as a slow machine would) until the winner is done, so that what the winner left can be snapshotted
 * before the loser runs on. A free race (both let go at once, whoever wins) is the third scenario.
 */
class ConcurrentApplyIT {
    @RegisterExtension
    static final FaultCluster cluster = FaultCluster.create(2);

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final String WAITING = "waiting for another apply";
    /** How a loser may say that the servers moved under its plan (the wording is the lead's to choose). */
    private static final Pattern PLAN_CHANGED = Pattern.compile("(?i)(plan (has )?changed|stale|changed since"
            + "|no longer (what|the))");

    private static String done(Round r) {
        return "✓ switchover " + r.primary().name() + " → " + r.standby().name();
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void ofTwoCliAppliesOfOneSwitchoverTheOneThatGetsTheLockSecondRefusesAndChangesNothing(int round)
            throws Exception {
        cluster.round("two CLI applies, the second stale", round, r -> {
            r.pin(r.standby());
            Round.Fault lock = r.holdLock();
            PgrdsProcess first = r.start(r.process().args("apply", "--auto-approve"));
            PgrdsProcess second = r.start(r.process().args("apply", "--auto-approve"));
            assertTrue(first.awaitOutput(WAITING, PATIENCE), () -> "never waited for the lock:\n" + first.describe());
            assertTrue(second.awaitOutput(WAITING, PATIENCE), () -> "never waited for the lock:\n" + second.describe());
            second.suspend();
            lock.undo();
            int firstExit = first.awaitExit(PATIENCE);
            Invariants.Snapshot before = r.snapshot();
            second.resume();
            int secondExit = second.awaitExit(PATIENCE);
            Invariants.Snapshot after = r.snapshot();
            r.verify(
                    Invariants.expect("the first apply switched over", firstExit == 0 && first.out().contains(done(r)),
                            () -> "first apply exit " + firstExit + ": " + lastLines(first.out() + first.err(), 4)),
                    loserRefuses("the second apply", secondExit, second.out(), second.err(), done(r)),
                    Invariants.unchanged("the second apply", before, after));
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void twoCliAppliesOfOneSwitchoverRacingForTheLockSwitchOverOnce(int round) throws Exception {
        cluster.round("two CLI applies racing", round, r -> {
            r.pin(r.standby());
            Round.Fault lock = r.holdLock();
            PgrdsProcess a = r.start(r.process().args("apply", "--auto-approve"));
            PgrdsProcess b = r.start(r.process().args("apply", "--auto-approve"));
            assertTrue(a.awaitOutput(WAITING, PATIENCE), () -> "never waited for the lock:\n" + a.describe());
            assertTrue(b.awaitOutput(WAITING, PATIENCE), () -> "never waited for the lock:\n" + b.describe());
            lock.undo();
            int aExit = a.awaitExit(PATIENCE);
            int bExit = b.awaitExit(PATIENCE);
            boolean aDid = a.out().contains(done(r));
            boolean bDid = b.out().contains(done(r));
            PgrdsProcess loser = aDid ? b : a;
            int loserExit = aDid ? bExit : aExit;
            r.verify(
                    Invariants.expect("exactly one apply switched over", aDid != bDid && (aDid ? aExit : bExit) == 0,
                            () -> "apply A exit " + aExit + (aDid ? " switched over" : "") + ", apply B exit " + bExit
                                    + (bDid ? " switched over" : "") + "; A: " + lastLines(a.out() + a.err(), 3)
                                    + "; B: " + lastLines(b.out() + b.err(), 3)),
                    loserRefuses("the apply that got the lock second", loserExit, loser.out(), loser.err(), done(r)),
                    markersName(r.standby()));
        });
    }

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aCliApplyThatWaitedWhileTheDaemonSwitchedOverRefusesAndChangesNothing(int round) throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger apply = (Logger) LoggerFactory.getLogger("io.pgrds.daemon.apply");
        Level was = apply.getLevel();
        log.start();
        apply.addAppender(log);
        apply.setLevel(Level.DEBUG);
        try {
            cluster.round("the daemon and a CLI apply", round, r -> {
                r.commit(cluster.nodes(), r.standby(), "reconcile: {policy: full}\n");
                Round.Fault lock = r.holdLock();
                PgrdsProcess cli = r.start(r.process().args("apply", "--auto-approve"));
                ClusterId id = ClusterId.parse(FaultCluster.CLUSTER);
                try (Daemon daemon = new Daemon(new Daemon.Config(cluster.repo().toString(), null,
                        Duration.ofSeconds(2), null, Optional.empty(), Optional.empty(), r.dir().resolve("daemon-cache"),
                        ShellOptions.defaults(), 4, Duration.ofSeconds(30), Duration.ofSeconds(300), 2,
                        "pgrds-faults-" + System.nanoTime(), "faults-daemon")).start()) {
                    try {
                        assertTrue(cli.awaitOutput(WAITING, PATIENCE), () -> "never waited for the lock:\n"
                                + cli.describe());
                        assertTrue(await(() -> said(log, WAITING), PATIENCE), () -> "the daemon never waited for "
                                + "the lock; it logged: " + lines(log));
                        cli.suspend();
                    } finally {
                        lock.undo(); // also on failure: the daemon stops only once its run ends, which needs the lock
                    }
                    assertTrue(await(() -> daemon.status(id).flatMap(s -> s.lastRunAt()).isPresent(),
                            PATIENCE), () -> "the daemon's run did not end; it logged: " + lines(log));
                    // a run stops between actions when the daemon stops: let it end first (it did), then stop it
                }
                Invariants.Snapshot before = r.snapshot();
                cli.resume();
                int exit = cli.awaitExit(PATIENCE);
                Invariants.Snapshot after = r.snapshot();
                r.verify(
                        Invariants.expect("the daemon switched over", said(log, "done " + done(r).substring(2)),
                                () -> "the daemon logged: " + lines(log)),
                        loserRefuses("the CLI apply", exit, cli.out(), cli.err(), done(r)),
                        Invariants.unchanged("the CLI apply", before, after));
            });
        } finally {
            apply.detachAppender(log);
            apply.setLevel(was);
        }
    }

    /** The loser exits non-zero, did not switch over, and says that the servers changed since it planned. */
    private static Invariants.Check loserRefuses(String who, int exit, String out, String err, String done) {
        boolean says = PLAN_CHANGED.matcher(out + "\n" + err).find();
        return Invariants.expect(who + " refuses because the plan changed",
                exit != 0 && !out.contains(done) && says,
                () -> who + " exit " + exit + (out.contains(done) ? ", switched over too" : "")
                        + (says ? "" : ", without saying the plan changed") + ": " + lastLines(out + err, 5));
    }

    /** Every node's marker names {@code primary} as the primary. */
    private static Invariants.Check markersName(TestNode primary) {
        List<String> wrong = new ArrayList<>();
        for (TestNode n : cluster.nodes()) {
            NodeSnapshot s = NodeSnapshot.of(cluster.hosts(), n);
            String named;
            try {
                JsonNode m = Json.mapper().readTree(s.marker());
                named = m.path("primary").asText("(none)");
            } catch (Exception e) {
                named = "(unreadable marker: " + s.marker().strip() + ")";
            }
            if (!named.equals(primary.name())) {
                wrong.add(n.name() + "'s marker names " + named);
            }
        }
        return Invariants.expect("the markers name the new primary " + primary.name(), wrong.isEmpty(),
                () -> wrong.isEmpty() ? "every marker names " + primary.name() : String.join(", ", wrong));
    }

    private static boolean said(ListAppender<ILoggingEvent> log, String text) {
        synchronized (log) {
            return log.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
        }
    }

    private static String lines(ListAppender<ILoggingEvent> log) {
        synchronized (log) {
            return String.join(" | ", log.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        }
    }

    private static String lastLines(String text, int n) {
        List<String> all = text.lines().filter(l -> !l.isBlank()).map(String::strip).toList();
        return String.join(" | ", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    private static boolean await(java.util.function.BooleanSupplier condition, Duration patience)
            throws InterruptedException {
        long until = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < until) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }
}
