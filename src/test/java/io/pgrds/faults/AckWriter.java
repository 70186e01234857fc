package io.pgrds.faults;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A client that commits without pause and remembers every commit the database acknowledged, and which node
 * acknowledged it: single-row autocommit inserts of increasing ids, {@code insert into writes (id) values (?)
 * returning host(inet_server_addr()), inet_server_port()}, through a multi-host JDBC URL that follows the primary
 * ({@code targetServerType=primary}). After any error it closes the connection and connects again after
 * {@link #RETRY_MILLIS}. An id whose insert failed may or may not have committed: it is never reused and never
 * counted, so the acknowledged ids are exactly what must survive (invariant I2).
 *
 * <p>The node of each acknowledgement is independent evidence for invariant I1: one client on one connection at a
 * time can only be acknowledged by node A again after node B acknowledged if A still accepted writes after B began
 * to — see {@link #interleavings()}. (A scenario that moves the primary there and back within one writer's life
 * makes that pattern legitimately; the fault suite starts a writer per round.)
 *
 * <p>Times are {@link System#nanoTime()}.
 */
public final class AckWriter implements AutoCloseable {
    /** The pause before connecting again after an error. */
    public static final long RETRY_MILLIS = 10;

    private static final String INSERT = "insert into writes (id) values (?) returning host(inet_server_addr()), "
            + "inet_server_port()";

    private final String url;
    private final String user;
    private final Supplier<String> password;
    private final Function<String, String> nodeOf;
    private final Thread thread;
    /** With {@link #psqlPerCommit}: the psql binary and the table; null for the JDBC writer. */
    private String psql;
    private String table = "writes";
    private volatile boolean stop;
    private volatile long reconnectNanos;

    private final Object lock = new Object();
    private long[] ids = new long[1 << 14];
    private long[] nanos = new long[1 << 14];
    private short[] nodeIndex = new short[1 << 14];
    private final List<String> nodes = new ArrayList<>();
    private int acked;
    private long failures;
    private String lastFailure = "";
    private long lastIdTried;

    /** The wall-clock millisecond at nanoTime 0, to put ack times beside log lines. */
    private final long wallAtNanoZero = System.currentTimeMillis() - System.nanoTime() / 1_000_000;

    /**
     * @param url      a multi-host URL with {@code targetServerType=primary} (and timeouts)
     * @param password read again before every connection (a rebuilt cluster has a new one)
     * @param nodeOf   the node's name for {@code "address:port"} as the server reports it (unknown: itself)
     */
    public AckWriter(String url, String user, Supplier<String> password, Function<String, String> nodeOf) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.nodeOf = nodeOf;
        this.thread = new Thread(this::loop, "ack-writer");
        thread.setDaemon(true);
    }

    /** A writer that names nodes by {@code address:port}. */
    public AckWriter(String url, String user, String password) {
        this(url, user, () -> password, a -> a);
    }

    /**
     * A writer as the simplest libpq client is: a new {@code psql} process per commit, connecting with a multi-host
     * libpq URL ({@code postgresql://a:5432,b:5432/postgres?target_session_attrs=read-write&connect_timeout=2}),
     * inserting one row into {@code table} and printing the acknowledging server. Each commit pays a process
     * start, a connection and authentication, so after a switchover it sees the new primary as soon as libpq
     * finds it, and never keeps a broken connection.
     */
    public static AckWriter psqlPerCommit(String psqlBinary, String libpqUrl, String user, String password,
                                          String table) {
        AckWriter w = new AckWriter(libpqUrl, user, () -> password, a -> a);
        w.psql = psqlBinary;
        w.table = table;
        return w;
    }

    /**
     * Also connects afresh every {@code period} (no id is skipped for it). With {@code loadBalanceHosts=true} in
     * the URL each connection picks a writable node at random, so while two nodes accept writes the writer soon
     * commits on both, and {@link #interleavings()} shows it; one connection kept for the whole round would only
     * leave a node after an error. Off by default (the switchover benchmark keeps one connection).
     */
    public AckWriter reconnectEvery(java.time.Duration period) {
        this.reconnectNanos = period.toNanos();
        return this;
    }

    public AckWriter start() {
        thread.start();
        return this;
    }

    private void loop() {
        if (psql != null) {
            psqlLoop();
            return;
        }
        long id = 0;
        Connection c = null;
        PreparedStatement insert = null;
        long connectedAt = 0;
        while (!stop) {
            long next = id + 1;
            try {
                if (c != null && reconnectNanos > 0 && System.nanoTime() - connectedAt > reconnectNanos) {
                    close(c);
                    c = null;
                }
                if (c == null) {
                    connectedAt = System.nanoTime();
                    Properties login = new Properties();
                    login.setProperty("user", user);
                    login.setProperty("password", password.get());
                    c = DriverManager.getConnection(url, login);
                    insert = c.prepareStatement(INSERT);
                }
                id = next;
                synchronized (lock) {
                    lastIdTried = id;
                }
                insert.setLong(1, id);
                String node;
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    node = rs.getString(1) + ":" + rs.getInt(2);
                }
                record(id, System.nanoTime(), nodeOf.apply(node));
            } catch (SQLException | RuntimeException e) {
                // the id (if it was sent) may or may not have committed: never reuse it, never count it
                synchronized (lock) {
                    failures++;
                    lastFailure = String.valueOf(e.getMessage());
                }
                close(c);
                c = null;
                insert = null;
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
        close(c);
    }

    private void psqlLoop() {
        long id = 0;
        while (!stop) {
            id++;
            synchronized (lock) {
                lastIdTried = id;
            }
            String failure;
            try {
                ProcessBuilder pb = new ProcessBuilder(psql, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                        "-d", url, "-U", user, "-c", "insert into " + table + " (id) values (" + id + ") returning "
                        + "host(inet_server_addr()) || ':' || inet_server_port()").redirectErrorStream(true);
                pb.environment().put("PGPASSWORD", password.get());
                pb.environment().put("PGCONNECT_TIMEOUT", "2");
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes()).strip();
                if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    failure = "psql did not finish in 30 s";
                } else if (p.exitValue() == 0 && out.matches("[0-9a-fA-F.:]+:[0-9]+")) {
                    record(id, System.nanoTime(), nodeOf.apply(out));
                    continue;
                } else {
                    failure = "psql exit " + p.exitValue() + ": " + out;
                }
            } catch (java.io.IOException e) {
                failure = String.valueOf(e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
            synchronized (lock) {
                failures++;
                lastFailure = failure;
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException ie) {
                return;
            }
        }
    }

    private static void close(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // already broken
        }
    }

    private void record(long id, long now, String node) {
        synchronized (lock) {
            if (acked == ids.length) {
                ids = Arrays.copyOf(ids, acked * 2);
                nanos = Arrays.copyOf(nanos, acked * 2);
                nodeIndex = Arrays.copyOf(nodeIndex, acked * 2);
            }
            int n = nodes.indexOf(node);
            if (n < 0) {
                nodes.add(node);
                n = nodes.size() - 1;
            }
            ids[acked] = id;
            nanos[acked] = now;
            nodeIndex[acked] = (short) n;
            acked++;
        }
    }

    // ---- what was acknowledged ----

    /** One acknowledged commit: its id, when (nanoTime) and which node acknowledged it. */
    public record Ack(long id, long nanos, String node) {
    }

    /** How many commits were acknowledged so far. */
    public int acked() {
        synchronized (lock) {
            return acked;
        }
    }

    /** Every acknowledged commit, in order. */
    public List<Ack> acks() {
        synchronized (lock) {
            List<Ack> out = new ArrayList<>(acked);
            for (int i = 0; i < acked; i++) {
                out.add(new Ack(ids[i], nanos[i], nodes.get(nodeIndex[i])));
            }
            return out;
        }
    }

    /** The acknowledged ids, in order. */
    public long[] ackedIds() {
        return ackedIds(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** The acknowledged ids, in order, of commits acknowledged in [from, to) (nanoTime). */
    public long[] ackedIds(long from, long to) {
        synchronized (lock) {
            long[] out = new long[acked];
            int k = 0;
            for (int i = 0; i < acked; i++) {
                if (nanos[i] >= from && nanos[i] < to) {
                    out[k++] = ids[i];
                }
            }
            return Arrays.copyOf(out, k);
        }
    }

    /** The highest id tried so far, acknowledged or not (0 before the first). */
    public long lastIdTried() {
        synchronized (lock) {
            return lastIdTried;
        }
    }

    /** Commits acknowledged since {@code nanoTime}. */
    public int ackedSince(long nanoTime) {
        synchronized (lock) {
            int k = 0;
            for (int i = acked - 1; i >= 0 && nanos[i] > nanoTime; i--) {
                k++;
            }
            return k;
        }
    }

    /** Waits until a commit is acknowledged after {@code nanoTime}; false after {@code timeoutMillis}. */
    public boolean awaitAckAfter(long nanoTime, long timeoutMillis) throws InterruptedException {
        return awaitAcksAfter(nanoTime, 1, timeoutMillis);
    }

    /** Waits until {@code count} commits are acknowledged after {@code nanoTime}; false after the timeout. */
    public boolean awaitAcksAfter(long nanoTime, int count, long timeoutMillis) throws InterruptedException {
        long until = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < until) {
            if (ackedSince(nanoTime) >= count) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    /** Waits until {@code node} acknowledged a commit after {@code nanoTime}; false after the timeout. */
    public boolean awaitAckFrom(String node, long nanoTime, long timeoutMillis) throws InterruptedException {
        long until = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < until) {
            synchronized (lock) {
                for (int i = acked - 1; i >= 0 && nanos[i] > nanoTime; i--) {
                    if (nodes.get(nodeIndex[i]).equals(node)) {
                        return true;
                    }
                }
            }
            Thread.sleep(5);
        }
        return false;
    }

    public long failures() {
        synchronized (lock) {
            return failures;
        }
    }

    public String lastFailure() {
        synchronized (lock) {
            return lastFailure;
        }
    }

    // ---- who acknowledged, and when ----

    /** The acknowledgements of one node: the first and last (nanoTime) and how many. */
    public record Span(String node, long firstNanos, long lastNanos, int count) {
    }

    /** Per node that acknowledged anything, in the order they first did. */
    public List<Span> spans() {
        synchronized (lock) {
            Map<Integer, long[]> by = new LinkedHashMap<>();
            for (int i = 0; i < acked; i++) {
                long[] s = by.computeIfAbsent((int) nodeIndex[i], k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
                s[0] = Math.min(s[0], nanos[i]);
                s[1] = Math.max(s[1], nanos[i]);
                s[2]++;
            }
            List<Span> out = new ArrayList<>();
            by.forEach((n, s) -> out.add(new Span(nodes.get(n), s[0], s[1], (int) s[2])));
            return out;
        }
    }

    /**
     * Two nodes that acknowledged this writer's commits alternately: {@code first} acknowledged again after
     * {@code second}'s first acknowledgement, so both accepted writes in [{@code fromNanos}, {@code toNanos}]
     * (the span both nodes' acknowledgements cover; 0 ms when one acknowledged only once inside the other's).
     */
    public record Interleaving(String first, String second, long fromNanos, long toNanos) {
        public long millis() {
            return Math.max(0, toNanos - fromNanos) / 1_000_000;
        }
    }

    /** Every pair of nodes whose acknowledgements interleave (empty when the primary only moved forward). */
    public List<Interleaving> interleavings() {
        List<Span> spans = spans();
        List<Interleaving> out = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            for (int j = i + 1; j < spans.size(); j++) {
                Span a = spans.get(i);
                Span b = spans.get(j);
                // a acknowledged first; it interleaves with b when a acknowledged again after b's first
                if (a.lastNanos() > b.firstNanos() && b.lastNanos() > a.firstNanos()) {
                    out.add(new Interleaving(a.node(), b.node(), Math.max(a.firstNanos(), b.firstNanos()),
                            Math.min(a.lastNanos(), b.lastNanos())));
                }
            }
        }
        return out;
    }

    // ---- pauses (the switchover benchmark's window) ----

    /**
     * @param lastBefore wall-clock ms of the last commit before the pause; firstAfter of the first after it
     */
    public record Gap(long nanos, long lastBefore, long firstAfter, long lastIdBefore) {
        public long millis() {
            return nanos / 1_000_000;
        }
    }

    /**
     * The longest pause between two consecutive acknowledged commits that overlaps [from, to] (nanoTime): the
     * time the database was unavailable to this client around an event in that span.
     */
    public Gap longestGap(long from, long to) {
        synchronized (lock) {
            Gap best = new Gap(0, 0, 0, 0);
            for (int i = 1; i < acked; i++) {
                if (nanos[i] < from || nanos[i - 1] > to) {
                    continue;
                }
                long g = nanos[i] - nanos[i - 1];
                if (g > best.nanos()) {
                    best = new Gap(g, wall(nanos[i - 1]), wall(nanos[i]), ids[i - 1]);
                }
            }
            return best;
        }
    }

    /** The wall-clock ms of the first commit acknowledged at or after {@code wallMillis}; 0 when none. */
    public long firstAckAfter(long wallMillis) {
        synchronized (lock) {
            for (int i = 0; i < acked; i++) {
                long w = wall(nanos[i]);
                if (w >= wallMillis) {
                    return w;
                }
            }
            return 0;
        }
    }

    /** Wall-clock milliseconds of a nanoTime of this JVM. */
    public long wall(long nanoTime) {
        return wallAtNanoZero + nanoTime / 1_000_000;
    }

    /** Stops writing; an insert under way finishes (acknowledged or not) first. */
    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(30_000);
    }
}
