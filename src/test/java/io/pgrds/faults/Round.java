package io.pgrds.faults;

import io.pgrds.harness.Cmd;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One round of a fault scenario (see {@link FaultCluster#round}): the cluster as the round found it (its primary
 * and standbys), the round's {@link AckWriter} and {@link WritableMonitor}, the faults, pgrds in this JVM or in
 * processes of its own, and the checks. Every fault made here and every process started here is undone or killed
 * when the round ends, also when it fails.
 */
public final class Round {
    /** The writer connects afresh this often, so that it would commit on two writable nodes (I1's evidence). */
    public static final Duration WRITER_RECONNECT = Duration.ofMillis(200);

    private final FaultCluster cluster;
    private final String scenario;
    private final int number;
    private final TestNode primary;
    private final List<TestNode> standbys;
    private final Path dir;
    private final Figures figures = new Figures();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<PgrdsProcess> processes = new ArrayList<>();
    private AckWriter writer;
    private WritableMonitor monitor;
    private boolean frozen;

    Round(FaultCluster cluster, String scenario, int number, TestNode primary, Path dir) {
        this.cluster = cluster;
        this.scenario = scenario;
        this.number = number;
        this.primary = primary;
        this.standbys = cluster.nodes().stream().filter(n -> !n.equals(primary)).toList();
        this.dir = dir;
    }

    /** The figures that go into the report; the checks of {@link Invariants} fill them in. */
    public static final class Figures {
        public int acked;
        public OptionalLong lost = OptionalLong.empty();
        public Long twoWritableMs;
        public OptionalDouble convergeSeconds = OptionalDouble.empty();
        /** The write gap a failover scenario measured (longest time without an acknowledged commit). */
        public OptionalLong gapMs = OptionalLong.empty();
    }

    void start() throws InterruptedException, IOException {
        Files.createDirectories(dir);
        List<WritableMonitor.Target> targets = cluster.nodes().stream().map(n -> new WritableMonitor.Target(n.name(),
                n.address(), n.pgPort(), () -> cluster.adminPassword(n).orElse(""))).toList();
        monitor = WritableMonitor.start(targets);
        writer = new AckWriter(cluster.writerUrl(), "admin", cluster::adminPassword, cluster::nodeNamed)
                .reconnectEvery(WRITER_RECONNECT).start();
        long t = System.nanoTime();
        if (!monitor.awaitFirstSamples(Duration.ofSeconds(20))) {
            throw new IllegalStateException("the writable monitor did not sample every node: " + monitor.describe());
        }
        if (!writer.awaitAcksAfter(t, 50, 30_000)) {
            throw new IllegalStateException("the writer got " + writer.acked() + " commits acknowledged in 30 s; "
                    + "last error: " + writer.lastFailure());
        }
        if (!monitor.writableNodes().equals(Set.of(primary.name()))) {
            throw new IllegalStateException("at the start of the round the monitor sees " + monitor.writableNodes()
                    + " writable, not just " + primary.name() + ": " + monitor.describe());
        }
    }

    // ---- what the round is about ----------------------------------------------------------------------

    public FaultCluster cluster() {
        return cluster;
    }

    /** {@code Class/scenario}. */
    public String scenario() {
        return scenario;
    }

    public int number() {
        return number;
    }

    /** The primary when the round began. */
    public TestNode primary() {
        return primary;
    }

    /** The first standby when the round began. */
    public TestNode standby() {
        return standbys.get(0);
    }

    public List<TestNode> standbys() {
        return standbys;
    }

    public AckWriter writer() {
        return writer;
    }

    public WritableMonitor monitor() {
        return monitor;
    }

    public Figures figures() {
        return figures;
    }

    /** A directory of this round (saved plans, process output). */
    public Path dir() {
        return dir;
    }

    // ---- the file and pgrds ---------------------------------------------------------------------------

    /** Commits the cluster file with every node and the pin on {@code node}. */
    public void pin(TestNode node) {
        cluster.commit(cluster.nodes(), node);
    }

    /** Commits the cluster file with these nodes and pin (none when null). */
    public void commit(List<TestNode> nodes, TestNode pin) {
        cluster.commit(nodes, pin);
    }

    /** Commits the cluster file with these nodes, pin and extra lines instead of the class's. */
    public void commit(List<TestNode> nodes, TestNode pin, String extra) {
        cluster.commit(nodes, pin, extra);
    }

    /** pgrds in this JVM on the fleet repository. */
    public Cli.Run pgrds(String... args) {
        return cluster.pgrds(args);
    }

    /** A pgrds process on the fleet repository, to be given its command and started with {@link #start}. */
    public PgrdsProcess.Builder process() {
        return cluster.process(dir);
    }

    /** Starts the process; it is killed at the end of the round if it still runs. */
    public PgrdsProcess start(PgrdsProcess.Builder builder) {
        PgrdsProcess p = builder.start();
        processes.add(p);
        return p;
    }

    // ---- faults ---------------------------------------------------------------------------------------

    /** A fault that lasts until undone; undone (once) at the end of the round at the latest. */
    public interface Fault extends AutoCloseable {
        void undo();

        @Override
        default void close() {
            undo();
        }
    }

    private Fault register(String what, Runnable undo) {
        Fault f = new Fault() {
            private boolean undone;

            @Override
            public synchronized void undo() {
                if (!undone) {
                    undone = true;
                    undo.run();
                }
            }

            @Override
            public String toString() {
                return what;
            }
        };
        faults.push(f);
        return f;
    }

    /** SIGKILL to the node's postmaster and all its processes (a crash); waits until they are reaped. */
    public void killPostgres(TestNode n) {
        cluster.hosts().kill(n);
        if (cluster.hosts().isRunning(n)) {
            throw new IllegalStateException("PostgreSQL still runs on " + n + " after SIGKILL");
        }
    }

    /**
     * The node is cut off from its standbys as well as from pgrds: its sshd stops, its pg_hba.conf refuses
     * replication from anywhere (reloaded) and its WAL senders are ended. Clients still reach it. Undone: the file
     * put back and reloaded, sshd started.
     */
    public Fault isolate(TestNode n) {
        Path hba = n.dataDirectory().resolve("pg_hba.conf");
        String was;
        try {
            was = Files.readString(hba, java.nio.charset.StandardCharsets.UTF_8);
            Files.writeString(hba, "host replication all all reject\nlocal replication all reject\n" + was,
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        cluster.query(n, "select pg_reload_conf()");
        cluster.query(n, "select pg_terminate_backend(pid) from pg_stat_replication");
        Fault sshd = cutOff(n);
        return register("isolate " + n, () -> {
            try {
                Files.writeString(hba, was, java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            try {
                cluster.query(n, "select pg_reload_conf()");
            } catch (RuntimeException e) {
                // not running any more: the file is back for its next start
            }
            sshd.undo();
        });
    }

    /** The node's sshd stops: pgrds cannot reach it; PostgreSQL and replication go on. */
    public Fault cutOff(TestNode n) {
        cluster.hosts().makeUnreachable(n);
        return register("cut off " + n, () -> cluster.hosts().makeReachable(n));
    }

    /** How a running node's data directory is made unreadable to the postgres user. */
    public enum Unreadable {
        /** {@code chmod 000} the directory holding the data directory (and pgrds's directory beside it). */
        PARENT_DIRECTORY,
        /** The data directory moved aside and its path made a symbolic link into a directory postgres cannot enter. */
        SYMLINK
    }

    /**
     * The node's data directory can no longer be read by the postgres user while its server runs on (it has its
     * working directory open): as a disk that went bad, a mount gone wrong or an operator's chmod would leave it.
     */
    public Fault unreadableData(TestNode n, Unreadable how) throws IOException {
        Path data = n.dataDirectory();
        if (how == Unreadable.PARENT_DIRECTORY) {
            Path parent = n.dir();
            Set<PosixFilePermission> was = Files.getPosixFilePermissions(parent);
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("---------"));
            return register("unreadable " + parent, () -> {
                try {
                    Files.setPosixFilePermissions(parent, was);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        Path moved = n.dir().resolve("data.moved-by-faults");
        Path locked = n.dir().resolve("locked-by-faults");
        Files.createDirectory(locked, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.move(data, moved, StandardCopyOption.ATOMIC_MOVE);
        Files.createSymbolicLink(data, locked.resolve("data"));
        return register("unreadable " + data + " (a link into " + locked + ")", () -> {
            try {
                if (Files.isSymbolicLink(data)) {
                    Files.delete(data);
                }
                if (Files.exists(moved, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(moved, data, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.deleteIfExists(locked);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Replication to {@code standby} stops: SIGSTOP to the primary's WAL sender for it and to the standby's WAL
     * receiver. Commits the primary acknowledges from now on (asynchronous replication) are on the primary alone.
     * The sender is stopped, not only the receiver: WAL already sent would otherwise wait in the TCP buffers and
     * still reach the standby after a crash of the primary. Undone by SIGCONT to both.
     */
    public Fault pauseReplication(TestNode from, TestNode standby) {
        String sender = cluster.value(from, "select pid from pg_stat_replication where application_name = '"
                + standby.name() + "'");
        String receiver = cluster.value(standby, "select pid from pg_stat_wal_receiver");
        if (sender.isEmpty() || receiver.isEmpty()) {
            throw new IllegalStateException("cannot pause replication " + from + " → " + standby + ": WAL sender '"
                    + sender + "', WAL receiver '" + receiver + "'");
        }
        signal("STOP", sender);
        signal("STOP", receiver);
        for (String pid : List.of(sender, receiver)) {
            long until = System.nanoTime() + 5_000_000_000L;
            while (!stopped(pid) && System.nanoTime() < until) {
                FaultCluster.sleep(5); // the signal is delivered asynchronously
            }
            if (!stopped(pid)) {
                throw new IllegalStateException("process " + pid + " is not stopped 5 s after SIGSTOP");
            }
        }
        return register("replication " + from + " → " + standby + " paused (WAL sender " + sender
                + ", WAL receiver " + receiver + ")", () -> {
                    signalQuietly("CONT", receiver);
                    signalQuietly("CONT", sender);
                });
    }

    private void signal(String name, String pid) {
        Cmd.Result r = cluster.hosts().tryRun("kill", "-" + name, pid);
        if (!r.ok()) {
            throw new IllegalStateException(r.describe());
        }
    }

    private void signalQuietly(String name, String pid) {
        cluster.hosts().tryRun("kill", "-" + name, pid); // it may be gone with its server
    }

    private static boolean stopped(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            int end = stat.lastIndexOf(')');
            return end > 0 && stat.charAt(end + 2) == 'T';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Another apply holds the cluster's lock: the lock directory pgrds takes ({@code <dataDirectory>.pgrds/apply.lock}
     * with a {@code holder.json}) made on every node of the file, held by "fault-suite" on another host (so never
     * taken over as a crashed local apply), refreshed every 10 s (so never taken over as stale). Undone by removing
     * it where it is still ours.
     */
    public Fault holdLock() throws IOException {
        String id = "fault-suite-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        String holder = "{\"user\":\"fault-suite\",\"host\":\"fault-suite.invalid\",\"pid\":"
                + ProcessHandle.current().pid() + ",\"since\":\"" + Instant.now() + "\",\"commit\":null,\"id\":\""
                + id + "\"}";
        List<Path> locks = new ArrayList<>();
        for (TestNode n : cluster.members()) {
            Path lock = Path.of(n.dataDirectory() + ".pgrds", "apply.lock");
            Files.createDirectory(lock); // fails when another apply holds it: the scenario wants it free
            locks.add(lock);
            Files.writeString(lock.resolve("holder.json"), holder, StandardCharsets.UTF_8);
            cluster.hosts().run("chown", "-R", "postgres:postgres", lock.toString());
        }
        ScheduledExecutorService refresh = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fault-suite-lock");
            t.setDaemon(true);
            return t;
        });
        refresh.scheduleAtFixedRate(() -> locks.forEach(l -> {
            try {
                Files.setLastModifiedTime(l.resolve("holder.json"), FileTime.from(Instant.now()));
            } catch (IOException ignored) {
                // released or taken over meanwhile
            }
        }), 10, 10, TimeUnit.SECONDS);
        return register("apply lock held on " + cluster.members(), () -> {
            refresh.shutdownNow();
            for (Path l : locks) {
                try {
                    Path h = l.resolve("holder.json");
                    if (Files.exists(h) && Files.readString(h, StandardCharsets.UTF_8).contains(id)) {
                        cluster.hosts().run("rm", "-rf", l.toString());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    // ---- checks ---------------------------------------------------------------------------------------

    /** I3: apply with the file unchanged (at most twice) until the plan says no changes and the nodes are healthy. */
    public Invariants.I3 converge() {
        return Invariants.converge(this);
    }

    /** I1 now (stops the writer and the monitor). */
    public Invariants.I1 i1() {
        return Invariants.i1(this);
    }

    /** I2 now (stops the writer). */
    public Invariants.I2 i2() {
        return Invariants.i2(this);
    }

    /** Every node's marker, role and server, for I5. */
    public Invariants.Snapshot snapshot() {
        return Invariants.snapshot(this);
    }

    /**
     * The end of a scenario: I3 (convergence with the file as it is), then I1 and I2 over the whole round, and the
     * scenario's own checks; fails listing every one that does not hold, with its figures.
     */
    public void verify(Invariants.Check... scenarioChecks) {
        List<Invariants.Check> checks = new ArrayList<>(List.of(scenarioChecks));
        checks.add(converge());
        checks.add(i1());
        checks.add(i2());
        Invariants.assertHold(checks);
    }

    /** Stops the writer and the monitor: their figures end here. */
    public void freeze() {
        if (frozen) {
            return;
        }
        frozen = true;
        try {
            if (writer != null) {
                writer.close();
            }
            if (monitor != null) {
                monitor.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ends the round whatever happened: figures completed where they can be, faults undone, processes killed. */
    FaultReport.Line finish(Throwable failure, double seconds) {
        List<String> trouble = new ArrayList<>();
        try {
            freeze();
        } catch (RuntimeException e) {
            trouble.add("stopping the writer: " + e);
        }
        while (!faults.isEmpty()) {
            Fault f = faults.pop();
            try {
                f.undo();
            } catch (RuntimeException e) {
                trouble.add("undoing " + f + ": " + e);
            }
        }
        for (PgrdsProcess p : processes) {
            if (failure != null) {
                System.err.println("pgrds faults: " + scenario + " #" + number + ": " + p.describe());
            }
            try {
                p.close();
            } catch (RuntimeException e) {
                trouble.add("killing pgrds " + p.pid() + ": " + e);
            }
        }
        if (writer != null) {
            figures.acked = writer.acked();
            if (figures.lost.isEmpty()) {
                try {
                    Invariants.I2 i2 = Invariants.i2(this);
                    if (i2.problem().isEmpty()) {
                        figures.lost = OptionalLong.of(i2.lost());
                    }
                } catch (RuntimeException e) {
                    // no figure then
                }
            }
        }
        if (figures.twoWritableMs == null && monitor != null) {
            figures.twoWritableMs = monitor.twoWritableMillis();
        }
        if (failure != null) {
            System.err.println("pgrds faults: " + scenario + " #" + number + " failed; pgrds server logs:\n"
                    + cluster.serverLogs(30));
        }
        String outcome = failure == null ? "ok" : failure instanceof AssertionError ? String.valueOf(failure
                .getMessage()) : failure.toString();
        if (!trouble.isEmpty()) {
            System.err.println("pgrds faults: cleaning up after " + scenario + " #" + number + ": " + trouble);
            outcome = outcome + " (cleanup: " + String.join("; ", trouble) + ")";
        }
        return new FaultReport.Line(scenario, number, figures.acked, figures.lost,
                figures.twoWritableMs == null ? 0 : figures.twoWritableMs, figures.convergeSeconds, seconds, outcome,
                figures.gapMs);
    }
}
