package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.harness.SystemdFake;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.observe.Systemd;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import io.pgrds.testing.HarnessCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes where systemd runs (a fake systemctl in the node's own mount namespace, see {@link SystemdFake}) are started
 * through their pgrds@ unit and enabled, so that a "reboot" (servers killed, enabled units started again) brings the
 * cluster back as it was; nodes pgrds stops (removed, handed over from, stale) are disabled first; a node without
 * systemd keeps pg_ctl, and systemd never hears of it.
 */
class SystemdIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(3);

    private static SystemdFake fake1;
    private static SystemdFake fake2;

    @TempDir
    Path tmp;

    private FleetRepo fleet;

    @BeforeAll
    static void systemdOnTwoNodes() {
        fake1 = hosts.systemd(hosts.node(0));
        fake2 = hosts.systemd(hosts.node(1));
    }

    @BeforeEach
    void freshNodes() {
        hosts.nodes().forEach(hosts::reset);
        for (TestNode n : hosts.nodes()) {
            hosts.tryRun("rm", "-rf", n.dataDirectory() + ".pgrds");
        }
        for (SystemdFake f : List.of(fake1, fake2)) {
            f.reset();
        }
        fleet = new FleetRepo(tmp.resolve("fleet"));
    }

    @AfterEach
    void stopEverything() {
        hosts.nodes().forEach(hosts::reset);
    }

    private void commit(List<TestNode> nodes, String primary, String extra) {
        String y = HarnessCluster.yaml(hosts, nodes, "max_connections: 50");
        if (!extra.isEmpty()) {
            y = y.replace("postgres:\n", "postgres:\n" + extra);
        }
        fleet.commit("orderdata/integration", y + "primary: " + primary + "\n");
    }

    private Cli.Run pgrds(String... args) {
        return Cli.inRepo(fleet.dir(), args);
    }

    private Cli.Run apply() {
        Cli.Run r = pgrds("apply", "--auto-approve");
        assertEquals(0, r.exit(), r.toString());
        return r;
    }

    /** {@code a} primary and {@code b} its standby, applied, with one row in table t that {@code b} has replayed. */
    private void primaryWithOneRow(TestNode a, TestNode b) throws InterruptedException {
        commit(List.of(a, b), a.name(), "");
        apply();
        sql(a, "create table t (x int primary key)");
        sql(a, "insert into t values (1)");
        awaitRow(b, "select count(*) from t", "1");
    }

    private static String unit(TestNode n) {
        return Systemd.unitFor(n.dataDirectory().toString());
    }

    private static String sql(TestNode n, String sql) {
        return HarnessCluster.sql(hosts, n, sql);
    }

    private static void awaitRow(TestNode n, String sql, String expected) throws InterruptedException {
        String last = "";
        for (int i = 0; i < 200; i++) {
            try {
                last = sql(n, sql);
                if (last.equals(expected)) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(n + ": `" + sql + "` is " + last + ", expected " + expected);
    }

    @Test
    void systemdNodesAreStartedAndEnabledThroughTheirUnitAndComeBackAfterAReboot() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        TestNode c = hosts.node(2);
        commit(List.of(a, b, c), a.name(), "");
        Cli.Run plan = pgrds("plan");
        assertTrue(plan.out().contains("  start/stop: " + a.name() + " systemd " + unit(a) + ", " + b.name()
                + " systemd " + unit(b) + ", " + c.name() + " pg_ctl\n"), plan.out());
        apply();

        assertEquals(List.of("start " + unit(a), "enable " + unit(a)), fake1.calls());
        assertEquals(List.of("start " + unit(b), "enable " + unit(b)), fake2.calls());
        assertEquals(Set.of(unit(a)), fake1.enabled());
        assertEquals(Set.of(unit(b)), fake2.enabled());
        assertEquals(Set.of(unit(a)), fake1.active());
        assertTrue(hosts.isRunning(c), "the node without systemd runs, started with pg_ctl");
        assertEquals(0, pgrds("plan", "--detailed-exitcode").exit(), "nothing left to do");

        sql(a, "create table t (x int primary key)");
        sql(a, "insert into t values (1), (2), (3)");
        awaitRow(b, "select count(*) from t", "3");
        awaitRow(c, "select count(*) from t", "3");

        // a reboot of both systemd nodes: the servers die, systemd starts what is enabled
        hosts.kill(a);
        hosts.kill(b);
        hosts.kill(c);
        assertFalse(hosts.isRunning(a));
        fake1.boot();
        fake2.boot();
        assertTrue(hosts.isRunning(a), "the primary came back by itself");
        assertTrue(hosts.isRunning(b), "the standby came back by itself");
        assertFalse(hosts.isRunning(c), "without systemd nothing starts it: the next apply does");
        assertEquals("f", sql(a, "select pg_is_in_recovery()"));
        assertEquals("t", sql(b, "select pg_is_in_recovery()"));
        sql(a, "insert into t values (4)");
        awaitRow(b, "select count(*) from t", "4");
        Cli.Run after = pgrds("plan");
        assertTrue(after.out().contains("start           " + c.name()), after.out());
        assertTrue(after.out().contains("Plan: 0 to add, 1 to change, 0 to remove."), "nothing to do on the nodes "
                + "systemd brought back: " + after.out());
        apply();
        awaitRow(c, "select count(*) from t", "4");
    }

    @Test
    void aSwitchoverDisablesTheOldPrimaryBeforeItStopsAndEnablesItAgainAsAStandby() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        primaryWithOneRow(a, b);
        fake1.clearCalls();
        fake2.clearCalls();

        commit(List.of(a, b), b.name(), "");
        apply();
        assertEquals("f", sql(b, "select pg_is_in_recovery()"));
        assertEquals("t", sql(a, "select pg_is_in_recovery()"));
        assertEquals("1", sql(b, "select count(*) from t"), "no commit lost");
        // disabled before its clean shutdown (a reboot from there on never starts it as a second primary), the unit
        // stopped once the target was promoted, then started and enabled as a standby
        assertEquals(List.of("disable " + unit(a), "stop " + unit(a), "start " + unit(a), "enable " + unit(a)),
                fake1.calls());
        assertEquals(List.of(), fake2.calls(), "the target keeps running: promoted in place");
        assertEquals(Set.of(unit(a)), fake1.enabled());
        assertEquals(Set.of(unit(b)), fake2.enabled());
    }

    @Test
    void aStaleFormerPrimaryIsDisabledBeforeItIsStoppedAndStaysDownAfterAReboot() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        primaryWithOneRow(a, b);
        // node1's host is lost: unreachable, its server dead; the file drops it and fences it with a hook
        hosts.makeUnreachable(a);
        hosts.kill(a);
        Path hook = ApplyIT.executable(tmp.resolve("fence"), "exit 0");
        String file = HarnessCluster.yaml(hosts, List.of(b), "max_connections: 50") + "fence: {hook: " + hook + "}\n";
        fleet.commit("orderdata/integration", file);
        Cli.Run failover = null;
        for (int i = 0; i < 30; i++) { // until node2 no longer heard from node1 recently (10 s)
            failover = pgrds("apply", "--auto-approve");
            if (failover.exit() == 0) {
                break;
            }
            Thread.sleep(1000);
        }
        assertEquals(0, failover.exit(), failover.toString());
        assertEquals("f", sql(b, "select pg_is_in_recovery()"));
        // the host comes back and its server starts again (as its still enabled unit would at boot): a stale
        // primary on the old timeline, beside node2
        hosts.makeReachable(a);
        assertEquals(Set.of(unit(a)), fake1.enabled(), "pgrds could not reach it to disable it");
        fake1.clearCalls();
        fake1.boot();
        assertEquals("f", sql(a, "select pg_is_in_recovery()"), "the fault did not happen");

        Cli.Run plan = pgrds("plan");
        assertTrue(plan.out().contains("fence           " + a.name()), plan.out());
        assertTrue(plan.out().contains("start/stop: " + a.name() + " systemd " + unit(a) + " (enabled)"), plan.out());
        apply();
        assertFalse(hosts.isRunning(a), "the stale primary was stopped");
        List<String> calls = fake1.calls();
        assertEquals("disable " + unit(a), calls.get(1), "disabled before it was stopped: " + calls);
        assertEquals(Set.of(), fake1.enabled(), "a reboot must never bring it back: " + calls);
        fake1.boot();
        assertFalse(hosts.isRunning(a), "it stays down after a reboot");
        assertEquals("1", sql(b, "select count(*) from t"));
    }

    @Test
    void aRemovedNodeIsStoppedAndDisabledSoThatARebootDoesNotStartIt() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name(), "");
        apply();
        fake2.clearCalls();
        commit(List.of(a), a.name(), "");
        apply();
        assertEquals(List.of("disable " + unit(b), "stop " + unit(b)), fake2.calls());
        assertEquals(Set.of(), fake2.enabled());
        assertFalse(hosts.isRunning(b));
        hosts.kill(a);
        fake1.boot();
        fake2.boot();
        assertTrue(hosts.isRunning(a));
        assertFalse(hosts.isRunning(b), "the removed node stays down after a reboot");
    }

    @Test
    void aMissingUnitTemplateIsRefusedAndTheFileCanKeepPgCtl() throws Exception {
        TestNode a = hosts.node(0);
        fake1.removeTemplate();
        commit(List.of(a), a.name(), "");
        Cli.Run refused = pgrds("plan");
        assertNotEquals(0, refused.exit());
        assertTrue(refused.out().contains("SYSTEMD_UNIT_MISSING"), refused.toString());
        assertTrue(refused.out().contains("pgrds_node"), refused.toString());

        // opted out: pg_ctl, systemd untouched
        commit(List.of(a), a.name(), "  systemd: false\n");
        apply();
        assertTrue(hosts.isRunning(a));
        assertEquals(List.of(), fake1.calls());

        // the template installed and the option gone: the running primary is enabled, not restarted
        fake1.installTemplate();
        commit(List.of(a), a.name(), "");
        Cli.Run plan = pgrds("plan");
        assertTrue(plan.out().contains("~ enable at boot  " + a.name() + "   (systemd " + unit(a) + ")"), plan.out());
        String pid = sql(a, "select pg_backend_pid() > 0 and pg_postmaster_start_time() is not null");
        String started = sql(a, "select pg_postmaster_start_time()");
        apply();
        assertEquals(List.of("enable " + unit(a)), fake1.calls());
        assertEquals(started, sql(a, "select pg_postmaster_start_time()"), "not restarted");
        assertEquals("t", pid);
        assertEquals(0, pgrds("plan", "--detailed-exitcode").exit());
    }
}
