package io.pgrds.faults;

import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import io.pgrds.testing.HarnessCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The fixture of every fault scenario: harness nodes ({@link TestHosts}: real sshd and PostgreSQL per node on its
 * own 127.0.0.x), a real fleet repository with one cluster, {@value #CLUSTER}, on them, created by {@code pgrds
 * apply --auto-approve} (in this JVM, {@link Cli}), and rounds: each {@link #round} starts from a healthy cluster
 * with a {@link AckWriter writer} committing and a {@link WritableMonitor monitor} watching, runs the scenario
 * body with a {@link Round} (which offers the faults and the checks), undoes every fault the body made, kills
 * every pgrds process it started and appends the round's figures to the {@link FaultReport}.
 *
 * <pre>
 * class SomethingIT {
 *     &#64;RegisterExtension
 *     static final FaultCluster cluster = FaultCluster.create(2);      // static: once per class
 *
 *     &#64;ParameterizedTest(name = "round {0}")
 *     &#64;MethodSource("io.pgrds.faults.Rounds#rounds")
 *     void somethingUnderWrites(int round) throws Exception {
 *         cluster.round("something", round, r -&gt; {
 *             r.pin(r.standby());                                       // commit: the pin moved
 *             ...                                                       // faults: r.killPostgres(...), r.cutOff(...)
 *             r.verify();                                               // I3, then I1 and I2, with figures
 *         });
 *     }
 * }
 * </pre>
 *
 * <p>A round reuses the cluster the previous one left when it is healthy with the file put back (every node, the
 * pin on whichever node is primary now: rounds alternate the primary) — after one {@code apply} if the plan still
 * has changes (a node deactivated by the scenario rejoins, say). Otherwise, two primaries or none, a refusal, a
 * standby not streaming, the nodes are wiped and the cluster is created afresh (about 5 s).
 *
 * <p>The cluster file is {@link HarnessCluster#yaml} with {@link #parameters} and the pin, plus {@link #yaml} lines
 * of the class's choosing. The writer's table is {@code writes (id bigint primary key)}, emptied at each round.
 */
public final class FaultCluster implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    public static final String CLUSTER = "faults/suite";

    private final TestHosts hosts;
    /** How many of the harness nodes the cluster may use; the others serve it (a job store). */
    private final int clusterNodes;
    private boolean jobStore;
    private String parameters = "max_connections: 50";
    private String extraYaml = "";
    private String className = "Faults";
    private Path work;
    private FleetRepo fleet;
    private String committed = "";
    private List<TestNode> members = List.of();
    private boolean built;

    private FaultCluster(TestHosts hosts, int clusterNodes) {
        this.hosts = hosts;
        this.clusterNodes = clusterNodes;
    }

    /** A cluster of {@code nodes} harness nodes (node1 is the first primary). */
    public static FaultCluster create(int nodes) {
        return new FaultCluster(TestHosts.create(nodes), nodes);
    }

    /**
     * A cluster of {@code nodes} harness nodes and one more outside it holding the daemons' clustered job store (a
     * plain PostgreSQL, {@link #jobStore()}), which automatic failover needs.
     */
    public static FaultCluster withJobStore(int nodes) {
        FaultCluster c = new FaultCluster(TestHosts.create(nodes + 1), nodes);
        c.jobStore = true;
        return c;
    }

    /** The daemons' job store: the extra node's PostgreSQL, as {@code --job-store} takes it. */
    public String jobStore() {
        if (!jobStore) {
            throw new IllegalStateException("this fault cluster has no job store: use FaultCluster.withJobStore");
        }
        TestNode n = hosts.node(clusterNodes);
        return "jdbc:postgresql://" + n.address() + ":" + n.pgPort() + "/postgres?user=postgres";
    }

    /** {@code postgres.parameters} of the cluster file, a YAML flow mapping body (default max_connections: 50). */
    public FaultCluster parameters(String flowMappingBody) {
        this.parameters = flowMappingBody;
        return this;
    }

    /** Lines appended to every cluster file this fixture commits, e.g. {@code "reconcile: {policy: full}\n"}. */
    public FaultCluster yaml(String lines) {
        this.extraYaml = lines.isEmpty() || lines.endsWith("\n") ? lines : lines + "\n";
        return this;
    }

    // ---- lifecycle ------------------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        className = context.getRequiredTestClass().getSimpleName();
        hosts.beforeAll(context);
        if (jobStore) {
            hosts.initPrimary(hosts.node(clusterNodes));
        }
        work = Files.createTempDirectory("pgrds-faults-");
        fleet = new FleetRepo(work.resolve("fleet"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            PgrdsProcess.killAll();
            String summary = FaultReport.summary(className);
            if (!summary.isEmpty()) {
                System.out.print(summary);
            }
        } finally {
            try {
                hosts.afterAll(context);
            } finally {
                deleteTree(work);
            }
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        hosts.testFailed(context, cause);
        System.err.println("pgrds faults: " + context.getDisplayName() + " failed; the pgrds server logs follow\n"
                + serverLogs(40));
    }

    // ---- what the fixture is made of ------------------------------------------------------------------

    public TestHosts hosts() {
        return hosts;
    }

    /** Every harness node the cluster may use (the cluster file may name fewer: {@link #members()}). */
    public List<TestNode> nodes() {
        return hosts.nodes().subList(0, clusterNodes);
    }

    public TestNode node(int index) {
        return hosts.node(index);
    }

    /** The nodes the committed cluster file names. */
    public List<TestNode> members() {
        return members;
    }

    /** A temporary directory of the class, deleted after it. */
    public Path work() {
        return work;
    }

    /** The fleet repository. */
    public Path repo() {
        return fleet.dir();
    }

    // ---- the cluster file -----------------------------------------------------------------------------

    /** The cluster file for these nodes with this pin (none when null) and extra lines. */
    public String yaml(List<TestNode> nodes, TestNode pin, String extra) {
        StringBuilder y = new StringBuilder(HarnessCluster.yaml(hosts, nodes, parameters));
        if (pin != null) {
            y.append("primary: ").append(pin.name()).append('\n');
        }
        y.append(extra);
        return y.toString();
    }

    /** Commits the cluster file (with the class's extra lines) unless it is already the committed one. */
    public void commit(List<TestNode> nodes, TestNode pin) {
        commit(nodes, pin, extraYaml);
    }

    /** Commits the cluster file with these extra lines instead of the class's, unless it is already committed. */
    public void commit(List<TestNode> nodes, TestNode pin, String extra) {
        String text = yaml(nodes, pin, extra);
        if (!text.equals(committed)) {
            fleet.commit(CLUSTER, text);
            committed = text;
        }
        members = List.copyOf(nodes);
    }

    // ---- pgrds ----------------------------------------------------------------------------------------

    /** pgrds on the fleet repository, in this JVM. */
    public Cli.Run pgrds(String... args) {
        List<String> all = new ArrayList<>(List.of("--repo", repo().toString()));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(new String[0]));
    }

    /**
     * pgrds on the fleet repository in a JVM of its own (not started yet: add the command, maybe a fault point).
     * Prefer {@link Round#start(PgrdsProcess.Builder)}, which kills it at the end of the round.
     */
    public PgrdsProcess.Builder process(Path dir) {
        return PgrdsProcess.in(dir).args("--repo", repo().toString());
    }

    // ---- SQL as the cluster's admin over TCP (independent of sshd and of the node's file permissions) ---

    /** The cluster's admin password as kept on {@code n} (readable by root), or empty when it has none. */
    public Optional<String> adminPassword(TestNode n) {
        Path file = Path.of(n.dataDirectory() + ".pgrds", "secrets", "admin.password");
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The admin password from the first node that has it. */
    public String adminPassword() {
        return nodes().stream().map(this::adminPassword).flatMap(Optional::stream).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node holds the admin password of " + CLUSTER));
    }

    /** Runs SQL on {@code n} as admin; the rows, each a list of text values (null as "null"). */
    public List<List<String>> query(TestNode n, String sql) {
        Properties p = new Properties();
        p.setProperty("user", "admin");
        p.setProperty("password", adminPassword(n).orElseGet(this::adminPassword));
        p.setProperty("connectTimeout", "3");
        p.setProperty("socketTimeout", "30");
        p.setProperty("loginTimeout", "5");
        p.setProperty("ApplicationName", "pgrds-faults");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + n.address() + ":" + n.pgPort()
                + "/postgres", p); Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return List.of();
            }
            List<List<String>> rows = new ArrayList<>();
            try (ResultSet rs = s.getResultSet()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(columns);
                    for (int i = 1; i <= columns; i++) {
                        row.add(String.valueOf(rs.getString(i)));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(n.name() + ": " + e.getMessage() + " (" + sql + ")", e);
        }
    }

    /** The first value of the first row, or "" when there is none. */
    public String value(TestNode n, String sql) {
        List<List<String>> rows = query(n, sql);
        return rows.isEmpty() || rows.get(0).isEmpty() ? "" : rows.get(0).get(0);
    }

    /** Whether {@code n} answers that it would complete a commit now; false when it does not answer. */
    public boolean writable(TestNode n) {
        try {
            return value(n, WritableMonitor.QUESTION).equals("t");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The nodes that accept writes now. */
    public List<TestNode> writableNodes() {
        return nodes().stream().filter(this::writable).toList();
    }

    /** Each node's answer to {@link WritableMonitor#QUESTION} now, or why it gave none: for a failure's message. */
    public String writableAnswers() {
        return nodes().stream().map(n -> {
            try {
                return n.name() + "=" + value(n, WritableMonitor.QUESTION);
            } catch (RuntimeException e) {
                return n.name() + " did not answer (" + e.getMessage() + ")";
            }
        }).collect(Collectors.joining(", "));
    }

    /** The node of {@code "address:port"}, as the writer hears it from the server; the text itself if none. */
    public String nodeNamed(String addressAndPort) {
        return nodes().stream().filter(n -> (n.address() + ":" + n.pgPort()).equals(addressAndPort))
                .map(TestNode::name).findFirst().orElse(addressAndPort);
    }

    /** A multi-host URL over every node that follows the primary, for the {@link AckWriter}. */
    public String writerUrl() {
        return "jdbc:postgresql://" + nodes().stream().map(n -> n.address() + ":" + n.pgPort())
                .collect(Collectors.joining(",")) + "/postgres?targetServerType=primary&loadBalanceHosts=true"
                + "&hostRecheckSeconds=1&connectTimeout=2&loginTimeout=3&socketTimeout=4"
                + "&ApplicationName=pgrds-faults-writer";
    }

    // ---- health: every node of the file runs, one primary, every other streams from it ----------------

    private record NodeHealth(TestNode node, boolean running, String answer, boolean primary, String receiver,
                              String sender) {
        @Override
        public String toString() {
            if (!running) {
                return node.name() + " not running";
            }
            if (answer != null) {
                return node.name() + " does not answer (" + answer + ")";
            }
            return node.name() + (primary ? " primary" : " standby, WAL receiver "
                    + (receiver.isEmpty() ? "not running" : receiver + " from " + sender));
        }
    }

    private List<NodeHealth> healthOf(List<TestNode> nodes) {
        List<NodeHealth> out = new ArrayList<>();
        for (TestNode n : nodes) {
            if (!hosts.isRunning(n)) {
                out.add(new NodeHealth(n, false, null, false, "", ""));
                continue;
            }
            try {
                List<String> row = query(n, "select pg_is_in_recovery(), coalesce((select status from "
                        + "pg_stat_wal_receiver), ''), coalesce((select sender_host from pg_stat_wal_receiver), '')")
                        .get(0);
                out.add(new NodeHealth(n, true, null, row.get(0).equals("f"), row.get(1), row.get(2)));
            } catch (RuntimeException e) {
                out.add(new NodeHealth(n, true, e.getMessage(), false, "", ""));
            }
        }
        return out;
    }

    /** What is wrong with the nodes of the file (not running, not one primary, a standby not streaming), if anything. */
    public Optional<String> health() {
        List<NodeHealth> h = healthOf(members);
        List<NodeHealth> primaries = h.stream().filter(NodeHealth::primary).toList();
        List<String> problems = new ArrayList<>();
        h.stream().filter(n -> !n.running() || n.answer() != null).forEach(n -> problems.add(n.toString()));
        if (primaries.size() != 1) {
            problems.add(primaries.isEmpty() ? "no primary" : primaries.size() + " primaries");
        } else {
            TestNode p = primaries.get(0).node();
            h.stream().filter(n -> n.running() && n.answer() == null && !n.primary())
                    .filter(n -> !n.receiver().equals("streaming") || !n.sender().equals(p.address()))
                    .forEach(n -> problems.add(n + " (not streaming from " + p.name() + ")"));
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", problems) + " ["
                + h.stream().map(NodeHealth::toString).collect(Collectors.joining("; ")) + "]");
    }

    /** Waits until {@link #health()} finds nothing wrong; what is still wrong after {@code patience}. */
    public Optional<String> awaitHealthy(Duration patience) {
        long until = System.nanoTime() + patience.toNanos();
        Optional<String> problem = health();
        while (problem.isPresent() && System.nanoTime() < until) {
            sleep(200);
            problem = health();
        }
        return problem;
    }

    /** "node1 primary; node2 standby, WAL receiver streaming from 127.0.0.11". */
    public String healthSummary() {
        return healthOf(members).stream().map(NodeHealth::toString).collect(Collectors.joining("; "));
    }

    // ---- logs -----------------------------------------------------------------------------------------

    /** The last lines of every node's PostgreSQL log as pgrds runs it ({@code <dataDirectory>.pgrds/postgresql.log}). */
    public String serverLogs(int lines) {
        StringBuilder b = new StringBuilder();
        for (TestNode n : nodes()) {
            Path log = Path.of(n.dataDirectory() + ".pgrds", "postgresql.log");
            b.append("--- ").append(n).append(' ').append(log).append('\n');
            try {
                if (Files.exists(log)) {
                    List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                    b.append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()))).append('\n');
                }
            } catch (IOException | RuntimeException e) {
                b.append("(unreadable: ").append(e.getMessage()).append(")\n");
            }
        }
        return b.toString();
    }

    // ---- rounds ---------------------------------------------------------------------------------------

    /** A scenario's body: the faults, what pgrds must do about them, and the checks. */
    @FunctionalInterface
    public interface Body {
        void run(Round r) throws Exception;
    }

    /**
     * One round of a scenario: a healthy cluster, writer and monitor running, {@code body}, then every fault undone,
     * every pgrds process killed, and one line in the report, whatever happened.
     */
    public void round(String scenario, int number, Body body) throws Exception {
        String name = className + "/" + scenario;
        long t0 = System.nanoTime();
        Round r = null;
        Throwable failure = null;
        double ready = Double.NaN;
        try {
            TestNode primary = ensureReady();
            forgetDaemonStatus();
            r = new Round(this, name, number, primary, work.resolve("round-" + safe(scenario) + "-" + number));
            r.start();
            ready = (System.nanoTime() - t0) / 1e9;
            body.run(r);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            FaultReport.Line line;
            if (r != null) {
                line = r.finish(failure, (System.nanoTime() - t0) / 1e9);
            } else {
                line = new FaultReport.Line(name, number, 0, OptionalLong.empty(), 0, OptionalDouble.empty(),
                        (System.nanoTime() - t0) / 1e9, "setup failed: " + failure);
            }
            FaultReport.append(line);
            System.out.printf(java.util.Locale.ROOT, "fault round %s #%d: %d acked, %s lost, %d ms two writable, "
                            + "%sconverged %s, %.1f s (ready after %.1f s): %s%n", name, number, line.acked(),
                    line.lost().isPresent() ? Long.toString(line.lost().getAsLong()) : "?", line.twoWritableMs(),
                    line.gapMs().isPresent() ? "write gap " + line.gapMs().getAsLong() + " ms, " : "",
                    line.convergeSeconds().isPresent() ? String.format(java.util.Locale.ROOT, "in %.1f s",
                            line.convergeSeconds().getAsDouble()) : "-", line.roundSeconds(), ready,
                    FaultReport.clean(line.outcome()));
        }
    }

    /**
     * The daemons keep each cluster's status in the job store (pgrds_cluster_status), where a later daemon reads it:
     * a round starts without the status an earlier round's daemons left, so what a round waits to see is its own.
     */
    private void forgetDaemonStatus() {
        if (jobStore) {
            hosts.psql(hosts.node(clusterNodes), "do $$ begin if to_regclass('pgrds_cluster_status') is not null "
                    + "then delete from pgrds_cluster_status; end if; end $$");
        }
    }

    /**
     * A healthy cluster with the file put back (every node, pinned on the primary there is), the writer's table
     * empty; rebuilt from nothing when it cannot be had otherwise. Returns the primary.
     */
    private TestNode ensureReady() {
        String why = "the first round of " + className;
        if (built) {
            List<TestNode> writable = writableNodes();
            if (writable.size() == 1) {
                commit(nodes(), writable.get(0));
                Cli.Run plan = pgrds("plan", "--detailed-exitcode");
                if (plan.exit() == 2) {
                    Cli.Run apply = pgrds("apply", "--auto-approve");
                    plan = apply.exit() == 0 ? pgrds("plan", "--detailed-exitcode") : apply;
                }
                Optional<String> problem = plan.exit() == 0 ? awaitHealthy(Duration.ofSeconds(10))
                        : Optional.of("pgrds exit " + plan.exit() + Invariants.said(plan));
                if (problem.isEmpty()) {
                    forgetAlterSystem();
                    query(writable.get(0), "truncate writes");
                    return writable.get(0);
                }
                why = problem.get();
            } else {
                why = writable.isEmpty() ? "no node accepts writes" : "several nodes accept writes: " + writable;
            }
        }
        return rebuild(why);
    }

    /**
     * Scenarios make commits synchronous with ALTER SYSTEM on the primary (postgresql.auto.conf). pg_basebackup and
     * pg_rewind copy that file, so without this a standby re-added in a later round carries the setting, and once
     * promoted with no standby left it would wait for ever on every commit: a leak between rounds, not pgrds.
     */
    private void forgetAlterSystem() {
        for (TestNode n : nodes()) {
            if (!value(n, "select setting from pg_settings where name = 'synchronous_standby_names' "
                    + "and sourcefile like '%postgresql.auto.conf'").isEmpty()) {
                query(n, "alter system reset synchronous_standby_names");
                query(n, "select pg_reload_conf()");
            }
        }
    }

    /** Every node wiped (PostgreSQL stopped, data and pgrds's directory deleted), the cluster created by pgrds. */
    private TestNode rebuild(String why) {
        System.out.println("fault suite: creating " + CLUSTER + " afresh (" + why + ")");
        built = false;
        for (TestNode n : nodes()) {
            hosts.reset(n);
            hosts.run("rm", "-rf", n.dataDirectory() + ".pgrds");
        }
        TestNode primary = node(0);
        commit(nodes(), primary);
        Cli.Run apply = pgrds("apply", "--auto-approve");
        if (apply.exit() != 0) {
            throw new IllegalStateException("pgrds could not create " + CLUSTER + ":\n" + apply);
        }
        query(primary, "create table writes (id bigint primary key)");
        Optional<String> problem = awaitHealthy(Duration.ofSeconds(60));
        if (problem.isPresent()) {
            throw new IllegalStateException(CLUSTER + " is not healthy after pgrds created it: " + problem.get());
        }
        built = true;
        return primary;
    }

    private static String safe(String text) {
        return text.replaceAll("[^A-Za-z0-9._-]+", "-");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root) || Boolean.getBoolean(TestHosts.KEEP_PROPERTY)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("pgrds faults: unable to delete " + root + ": " + e);
        }
    }
}
