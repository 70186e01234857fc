package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.ErrorCode;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import io.pgrds.testing.HarnessCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original project's acceptance scenarios, applied by pgrds over real SSH to real PostgreSQL servers, with
 * data written in batches and checked after each step.
 */
class ApplyIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(4);

    @TempDir
    Path tmp;

    private FleetRepo fleet;
    private Path hookLog;
    private Path hook;

    @BeforeEach
    void freshNodes() {
        hosts.nodes().forEach(hosts::reset);
        for (TestNode n : hosts.nodes()) {
            hosts.tryRun("rm", "-rf", n.dataDirectory() + ".pgrds");
        }
        fleet = new FleetRepo(tmp.resolve("fleet"));
        hookLog = tmp.resolve("hook.log");
        hook = executable(tmp.resolve("register-endpoint"), "echo \"$PGRDS_PRIMARY_NODE\" >> '" + hookLog + "'");
    }

    /** A service hook is the path of an executable: a script with the command. */
    static Path executable(Path file, String command) {
        try {
            Files.writeString(file, "#!/bin/sh\n" + command + "\n");
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stopEverything() {
        hosts.nodes().forEach(hosts::reset);
    }

    // ---- helpers ----

    private String cluster(List<TestNode> nodes, String primary, String parameters) {
        StringBuilder y = new StringBuilder(HarnessCluster.yaml(hosts, nodes, parameters));
        if (primary != null) {
            y.append("primary: ").append(primary).append('\n');
        }
        y.append("service: {name: orders.it.example, hook: ").append(hook).append("}\n");
        return y.toString();
    }

    private void commit(List<TestNode> nodes, String primary) {
        fleet.commit("orderdata/integration", cluster(nodes, primary, "max_connections: 50"));
    }

    private Cli.Run pgrds(String... args) {
        return Cli.inRepo(fleet.dir(), args);
    }

    private Cli.Run apply() {
        Cli.Run r = pgrds("apply", "--auto-approve");
        assertEquals(0, r.exit(), r.toString());
        return r;
    }

    /** SQL on a node pgrds manages, through its own socket, as postgres. */
    private static String sql(TestNode n, String sql) {
        return HarnessCluster.sql(hosts, n, sql);
    }

    private static void writeBatch(TestNode primary, int batch) {
        sql(primary, "create table if not exists batches (batch int primary key, at timestamptz default now())");
        sql(primary, "insert into batches (batch) values (" + batch + ")");
    }

    private static void awaitBatch(TestNode standby, int batch) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try {
                if (sql(standby, "select count(*) from batches where batch = " + batch).equals("1")) {
                    return;
                }
            } catch (RuntimeException e) {
                // table not replicated yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("batch " + batch + " never reached " + standby);
    }

    private static String state(Cli.Run status, TestNode n) {
        return status.out().lines().filter(l -> l.strip().startsWith(n.name() + " ")).findFirst()
                .map(l -> l.strip().split("\\s+")[2]).orElse("(not shown)");
    }

    // ---- scenarios ----

    @Test
    void createsAPrimaryAndAStandbyThenPlansNoChanges() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name());
        Cli.Run r = apply();
        assertTrue(r.out().contains("The admin password of orderdata/integration is shown this once"), r.out());
        writeBatch(a, 1);
        awaitBatch(b, 1);
        Cli.Run status = pgrds("status");
        assertEquals(0, status.exit(), status.toString());
        assertEquals("PRIMARY", state(status, a));
        assertEquals("STANDBY", state(status, b));
        Cli.Run again = pgrds("plan", "--detailed-exitcode");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("No changes."), again.out());
        assertEquals(List.of(a.name()), Files.readAllLines(hookLog));
        // the admin password as a script reads it, and it logs in
        Cli.Run k = pgrds("credentials", "orderdata/integration", "--json");
        assertEquals(0, k.exit(), k.toString());
        assertTrue(k.err().contains("warning:"), "the warning stays on stderr: " + k.err());
        var j = io.pgrds.util.Json.mapper().readTree(k.out());
        assertEquals("admin", j.path("user").asText());
        java.util.Properties login = new java.util.Properties();
        login.setProperty("user", "admin");
        login.setProperty("password", j.path("password").asText());
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://" + j.path("host")
                .asText() + ":" + j.path("port").asInt() + "/" + j.path("dbname").asText(), login)) {
            assertTrue(c.isValid(5), "the admin password from credentials --json logs in");
        }
    }

    @Test
    void aWipedStandbyIsRebuiltWithAllData() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name());
        apply();
        writeBatch(a, 1);
        awaitBatch(b, 1);
        hosts.reset(b);
        writeBatch(a, 2);
        Cli.Run plan = pgrds("plan");
        assertTrue(plan.out().contains("+ clone standby   " + b.name()), plan.out());
        apply();
        awaitBatch(b, 2);
        assertEquals("2", sql(b, "select count(*) from batches"));
    }

    @Test
    void aWipedPrimaryRemovedFromTheFileFailsOverToTheStandbyWithTheLastBatch() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name());
        apply();
        for (int batch = 1; batch <= 3; batch++) {
            writeBatch(a, batch);
        }
        awaitBatch(b, 3);
        hosts.reset(a);
        commit(List.of(b), null);
        Cli.Run r = apply();
        assertTrue(r.out().contains("promote " + b.name()), r.out());
        assertEquals("f", sql(b, "select pg_is_in_recovery()"));
        assertEquals("3", sql(b, "select max(batch) from batches"));
        writeBatch(b, 4);
        List<String> hook = Files.readAllLines(hookLog);
        assertEquals(b.name(), hook.get(hook.size() - 1), "the endpoint hook got the new primary");
    }

    @Test
    void rollingReplacementMovesToNewServersKeepsDataAndDeactivatesTheOldOnes() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        TestNode c = hosts.node(2);
        TestNode d = hosts.node(3);
        commit(List.of(a, b), a.name());
        apply();
        writeBatch(a, 1);
        awaitBatch(b, 1);
        commit(List.of(c, d), c.name());
        Cli.Run plan = pgrds("plan");
        assertEquals(0, plan.exit(), plan.toString());
        assertTrue(plan.out().contains("~ switchover      " + a.name() + " → " + c.name()), plan.out());
        apply();
        writeBatch(c, 2);
        awaitBatch(d, 2);
        assertEquals("2", sql(c, "select count(*) from batches"));
        assertFalse(hosts.isRunning(a), "old primary stopped");
        assertFalse(hosts.isRunning(b), "old standby stopped");
        assertTrue(Files.readString(Path.of(a.dataDirectory() + ".pgrds/marker.json")).contains("\"deactivated\":true"));
        assertTrue(Files.readString(Path.of(b.dataDirectory() + ".pgrds/marker.json")).contains("\"deactivated\":true"));
        assertTrue(Files.exists(a.dataDirectory().resolve("PG_VERSION")), "data kept on the old primary");
        Cli.Run again = pgrds("plan", "--detailed-exitcode");
        assertEquals(0, again.exit(), again.toString());
    }

    @Test
    void switchoverAndBackWithAWriterRunningLosesNoAcknowledgedCommit() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name());
        apply();
        sql(a, "create table writes (id bigint primary key)");
        String password = Files.readString(Path.of(a.dataDirectory() + ".pgrds/secrets/admin.password")).strip();
        String url = "jdbc:postgresql://" + a.address() + ":" + a.pgPort() + "," + b.address() + ":" + b.pgPort()
                + "/postgres?targetServerType=primary&connectTimeout=2&socketTimeout=5";
        Set<Long> acked = new TreeSet<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong longestGapMs = new AtomicLong();
        Thread writer = new Thread(() -> {
            long id = 0;
            long lastOk = System.nanoTime();
            Connection c = null;
            while (!stop.get()) {
                try {
                    if (c == null) {
                        Properties p = new Properties();
                        p.setProperty("user", "admin");
                        p.setProperty("password", password);
                        c = DriverManager.getConnection(url, p);
                    }
                    long next = id + 1;
                    try (PreparedStatement s = c.prepareStatement("insert into writes values (?)")) {
                        s.setLong(1, next);
                        s.executeUpdate();
                    }
                    id = next;
                    synchronized (acked) {
                        acked.add(id);
                    }
                    long now = System.nanoTime();
                    longestGapMs.accumulateAndGet((now - lastOk) / 1_000_000, Math::max);
                    lastOk = now;
                } catch (SQLException e) {
                    id++; // an unacknowledged id is never reused
                    try {
                        if (c != null) {
                            c.close();
                        }
                    } catch (SQLException ignored) {
                        // already broken
                    }
                    c = null;
                }
            }
        });
        writer.start();
        Thread.sleep(500);
        commit(List.of(a, b), b.name());
        Cli.Run there = apply();
        assertTrue(there.out().contains("switchover " + a.name() + " → " + b.name()), there.out());
        Thread.sleep(500);
        commit(List.of(a, b), a.name());
        apply();
        Thread.sleep(500);
        stop.set(true);
        writer.join();
        List<Long> missing = new ArrayList<>();
        synchronized (acked) {
            for (long id : acked) {
                if (!sql(a, "select count(*) from writes where id = " + id).equals("1")) {
                    missing.add(id);
                }
            }
        }
        assertTrue(acked.size() > 10, "the writer committed " + acked.size());
        assertEquals(List.of(), missing, "acknowledged commits lost");
        assertEquals("f", sql(a, "select pg_is_in_recovery()"));
        assertEquals("t", sql(b, "select pg_is_in_recovery()"));
        System.out.println("switchover there and back: " + acked.size() + " commits, longest gap "
                + longestGapMs.get() + " ms");
    }

    @Test
    void theAdminPasswordATeamChangedSurvivesAReapply() throws Exception {
        TestNode a = hosts.node(0);
        commit(List.of(a), a.name());
        apply();
        sql(a, "alter role admin password 'chosen-by-the-team'");
        fleet.commit("orderdata/integration", cluster(List.of(a), a.name(), "max_connections: 60"));
        apply();
        Properties p = new Properties();
        p.setProperty("user", "admin");
        p.setProperty("password", "chosen-by-the-team");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + a.address() + ":" + a.pgPort()
                + "/postgres", p)) {
            assertTrue(c.isValid(2));
        }
        assertEquals("60", sql(a, "show max_connections"));
    }

    @Test
    void anUnreachableNodeMakesApplyRefuseAndChangeNothingUntilItIsBack() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name());
        apply();
        String conf = Files.readString(a.dataDirectory().resolve("pgrds.conf"));
        fleet.commit("orderdata/integration", cluster(List.of(a, b), a.name(), "max_connections: 70"));
        hosts.makeUnreachable(b);
        try {
            Cli.Run refused = pgrds("apply", "--auto-approve");
            assertEquals(ErrorCode.PLAN_REFUSED.exitCode(), refused.exit(), refused.toString());
            assertTrue(refused.out().contains("NODE_UNREACHABLE"), refused.out());
            assertEquals(conf, Files.readString(a.dataDirectory().resolve("pgrds.conf")), "nothing changed");
        } finally {
            hosts.makeReachable(b);
        }
        apply();
        assertEquals("70", sql(a, "show max_connections"));
        assertEquals("70", sql(b, "show max_connections"));
    }

    @Test
    void dryRunPrintsTheCommandsAndLeavesTheServersAsTheyWere() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name());
        Cli.Run dry = pgrds("apply", "--dry-run");
        assertEquals(0, dry.exit(), dry.toString());
        assertTrue(dry.out().contains("/initdb -D " + a.dataDirectory()), dry.out());
        assertTrue(dry.out().contains("pg_basebackup"), dry.out());
        assertTrue(dry.out().contains("password '********'"), dry.out());
        assertTrue(dry.out().contains("Dry run: nothing was changed."), dry.out());
        assertFalse(Files.exists(a.dataDirectory().resolve("PG_VERSION")));
        Cli.Run plan = pgrds("plan");
        assertTrue(plan.out().contains("+ init primary    " + a.name()), plan.out());
    }

    @Test
    void aSecondApplyWaitsForTheLockAndTakesOverOneLeftByACrash() throws Exception {
        TestNode a = hosts.node(0);
        commit(List.of(a), a.name());
        Path lock = Path.of(a.dataDirectory() + ".pgrds/apply.lock");
        Files.createDirectories(lock);
        Files.writeString(lock.resolve("holder.json"), "{\"user\":\"alice\",\"host\":\"laptop\",\"pid\":4242,"
                + "\"since\":\"2026-11-27T10:02:03Z\",\"commit\":null,\"id\":\"x\"}", StandardCharsets.UTF_8);
        hosts.run("chown", "-R", "postgres:postgres", a.dataDirectory() + ".pgrds");
        Cli.Run waited = pgrds("apply", "--auto-approve", "--lock-timeout", "2");
        assertEquals(ErrorCode.APPLY_FAILED.exitCode(), waited.exit(), waited.toString());
        assertTrue(waited.err().contains("another apply holds the lock of orderdata/integration on " + a.name()
                + ": alice on laptop (pid 4242) since 2026-11-27T10:02:03Z"), waited.err());
        assertFalse(Files.exists(a.dataDirectory().resolve("PG_VERSION")), "nothing was done without the lock");
        hosts.run("touch", "-d", "-5 minutes", lock.resolve("holder.json").toString());
        Cli.Run taken = apply();
        assertTrue(taken.out().contains("taking over a stale apply lock (alice on laptop"), taken.out());
        assertFalse(Files.exists(lock), "the lock is released after the apply");
    }

    @Test
    void anApplyKilledAtEveryActionBoundaryIsFinishedByTheNextWithNothingLost() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        TestNode c = hosts.node(2);
        commit(List.of(a, b, c), a.name());
        for (int boundary = 1; ; boundary++) {
            if (killAfterActions(boundary)) {
                break; // the apply finished before that boundary: everything is applied
            }
            if (Files.exists(a.dataDirectory().resolve("PG_VERSION")) && hosts.isRunning(a)) {
                try {
                    writeBatch(a, boundary);
                } catch (RuntimeException e) {
                    // the primary may still lack its roles/config at this point; the batch is optional here
                }
            }
        }
        apply();
        Cli.Run plan = pgrds("plan", "--detailed-exitcode");
        assertEquals(0, plan.exit(), plan.toString());
        int batches = Integer.parseInt(sql(a, "select count(*) from batches"));
        writeBatch(a, 1000);
        awaitBatch(b, 1000);
        awaitBatch(c, 1000);
        assertEquals(Integer.toString(batches + 1), sql(c, "select count(*) from batches"));
    }

    @Test
    void aSavedPlanIsAppliedExactlyAndRefusedOnceTheServersChanged() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        commit(List.of(a, b), a.name());
        Path first = tmp.resolve("first.plan");
        assertEquals(0, pgrds("plan", "--out", first.toString()).exit());
        Cli.Run applied = pgrds("apply", first.toString(), "--auto-approve");
        assertEquals(0, applied.exit(), applied.toString());
        assertEquals("t", sql(b, "select pg_is_in_recovery()"));

        fleet.commit("orderdata/integration", cluster(List.of(a, b), a.name(), "max_connections: 80"));
        Path second = tmp.resolve("second.plan");
        assertEquals(0, pgrds("plan", "--out", second.toString()).exit());
        hosts.stop(b);
        Cli.Run stale = pgrds("apply", second.toString(), "--auto-approve");
        assertEquals(ErrorCode.PLAN_STALE.exitCode(), stale.exit(), stale.toString());
        assertTrue(stale.err().contains("error [PLAN_STALE]: the saved plan " + second + " is stale"), stale.err());
        assertTrue(stale.err().contains(b.name() + ":"), "names the node that changed: " + stale.err());
        assertEquals("50", sql(a, "show max_connections"), "nothing was applied");
    }

    @Test
    void historyShowsEveryApplyNewestFirstFromTheNodes() throws Exception {
        TestNode a = hosts.node(0);
        commit(List.of(a), a.name());
        apply();
        fleet.commit("orderdata/integration", cluster(List.of(a), a.name(), "max_connections: 55"));
        apply();
        Cli.Run history = pgrds("history", "orderdata/integration");
        assertEquals(0, history.exit(), history.toString());
        String out = history.out();
        int change = out.indexOf("done  change 1 parameter on " + a.name());
        int init = out.indexOf("done  init primary " + a.name());
        assertTrue(change > 0 && init > change, "newest first:\n" + out);
        assertFalse(out.contains(Files.readString(Path.of(a.dataDirectory() + ".pgrds/secrets/admin.password"))
                .strip()), "no secret in the history");
    }

    /** Runs the packaged jar and SIGKILLs it once {@code n} actions have finished; true when it ended first. */
    private boolean killAfterActions(int n) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("java", "-jar", System.getProperty("pgrds.jar", "target/pgrds.jar"),
                "--repo", fleet.dir().toString(), "apply", "--auto-approve").redirectErrorStream(true);
        Process p = pb.start();
        int done = 0;
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.contains(": ✓ ")) {
                    done++;
                    if (done == n) {
                        p.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
                        p.waitFor();
                        return false;
                    }
                }
            }
        }
        p.waitFor();
        return true;
    }
}
