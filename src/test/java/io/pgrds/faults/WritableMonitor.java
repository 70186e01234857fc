package io.pgrds.faults;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Watches every node and measures how long two or more of them accepted writes at the same time (invariant I1).
 * One thread per node asks its node every {@link #PERIOD} over a connection of its own, as the cluster's
 * {@code admin}: whether it would complete a commit now ({@link #QUESTION}). A node that does not answer (down, refusing, slower than {@link #TIMEOUT_SECONDS}) counts as not
 * writable.
 *
 * <p><b>Resolution.</b> Each answer is taken to hold from the moment it arrived until the next question is sent:
 * a node is writable from the arrival of the first "yes" until the next question that did not get one was sent.
 * Each edge of an interval is therefore placed within about one period (25 ms) plus one round trip of the truth;
 * an overlap shorter than that can be missed, and a reported one may be up to that much too long or short at each
 * end. What is reported is always evidence: both nodes answered "writable" on their own connections within it.
 *
 * <p>Times are {@link System#nanoTime()}.
 */
public final class WritableMonitor implements AutoCloseable {
    /** How often each node is asked. */
    public static final Duration PERIOD = Duration.ofMillis(25);
    /** Connect and socket timeout of a question, in seconds. */
    public static final int TIMEOUT_SECONDS = 2;

    /**
     * Whether the server would complete a commit now: it runs as a primary, is not read-only, and — when it waits
     * for a quorum of standbys ({@code synchronous_standby_names = 'ANY K (…)'}) — K standbys are attached to it. A
     * primary cut off from its quorum accepts an INSERT but never acknowledges its commit: it does not accept writes.
     */
    static final String QUESTION = "select not pg_is_in_recovery() and "
            + "current_setting('default_transaction_read_only') = 'off' and "
            + "(current_setting('synchronous_standby_names') = '' "
            + "or current_setting('synchronous_commit') in ('off', 'local') "
            + "or (select count(*) from pg_stat_replication where sync_state in ('sync', 'quorum')) >= "
            + "coalesce(substring(current_setting('synchronous_standby_names') from '^ANY ([0-9]+)')::int, 1))";

    /** A node to watch: its name, where its PostgreSQL listens, and the admin password (read at each connect). */
    public record Target(String node, String host, int port, Supplier<String> password) {
    }

    /** A time when the named nodes (two or more) accepted writes at once. */
    public record Interval(long fromNanos, long toNanos, Set<String> nodes) {
        public long millis() {
            return (toNanos - fromNanos) / 1_000_000;
        }

        @Override
        public String toString() {
            return String.join("+", nodes) + " for " + millis() + " ms";
        }
    }

    private final List<Sampler> samplers = new ArrayList<>();
    private volatile boolean stop;
    private volatile long stoppedAt;

    private WritableMonitor(List<Target> targets) {
        for (Target t : targets) {
            samplers.add(new Sampler(t));
        }
    }

    /** Starts watching these nodes. */
    public static WritableMonitor start(List<Target> targets) {
        WritableMonitor m = new WritableMonitor(targets);
        m.samplers.forEach(s -> s.thread.start());
        return m;
    }

    /** Waits until every node was asked at least once (answered or not); false after the timeout. */
    public boolean awaitFirstSamples(Duration patience) throws InterruptedException {
        long until = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < until) {
            if (samplers.stream().allMatch(s -> s.samples() > 0)) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    /** The nodes whose latest answer was "writable". */
    public Set<String> writableNodes() {
        Set<String> out = new TreeSet<>();
        for (Sampler s : samplers) {
            if (s.writable()) {
                out.add(s.target.node());
            }
        }
        return out;
    }

    /** Waits until exactly these nodes answer "writable" (asked afresh); false after the timeout. */
    public boolean awaitWritable(Set<String> nodes, Duration patience) throws InterruptedException {
        long asked = System.nanoTime();
        long until = asked + patience.toNanos();
        while (System.nanoTime() < until) {
            if (samplers.stream().allMatch(s -> s.lastAnswerAskedAfter(asked))
                    && writableNodes().equals(new TreeSet<>(nodes))) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /** The times when two or more nodes accepted writes at once, in order. */
    public List<Interval> twoWritableIntervals() {
        long end = stop ? stoppedAt : System.nanoTime();
        record Edge(long at, String node, boolean up) {
        }
        List<Edge> edges = new ArrayList<>();
        for (Sampler s : samplers) {
            for (long[] i : s.intervals(end)) {
                edges.add(new Edge(i[0], s.target.node(), true));
                edges.add(new Edge(i[1], s.target.node(), false));
            }
        }
        // at one instant, downs before ups: touching intervals do not overlap
        edges.sort(Comparator.comparingLong(Edge::at).thenComparing(Edge::up));
        List<Interval> out = new ArrayList<>();
        Set<String> up = new TreeSet<>();
        long since = 0;
        for (Edge e : edges) {
            if (up.size() >= 2 && e.at() > since) {
                out.add(new Interval(since, e.at(), new TreeSet<>(up)));
            }
            if (e.up()) {
                up.add(e.node());
            } else {
                up.remove(e.node());
            }
            since = e.at();
        }
        return merge(out);
    }

    /** Adjacent pieces with the same start/end merge into one interval per continuous overlap. */
    private static List<Interval> merge(List<Interval> pieces) {
        List<Interval> out = new ArrayList<>();
        for (Interval p : pieces) {
            if (!out.isEmpty() && out.get(out.size() - 1).toNanos() == p.fromNanos()) {
                Interval last = out.remove(out.size() - 1);
                Set<String> nodes = new TreeSet<>(last.nodes());
                nodes.addAll(p.nodes());
                out.add(new Interval(last.fromNanos(), p.toNanos(), nodes));
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** Milliseconds during which two or more nodes accepted writes at once. */
    public long twoWritableMillis() {
        return twoWritableIntervals().stream().mapToLong(i -> i.toNanos() - i.fromNanos()).sum() / 1_000_000;
    }

    /** Questions asked of {@code node} so far. */
    public long samples(String node) {
        return samplers.stream().filter(s -> s.target.node().equals(node)).mapToLong(Sampler::samples).sum();
    }

    /** Per node: questions asked, answered, and the last error. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        for (Sampler s : samplers) {
            synchronized (s) {
                b.append(s.target.node()).append(": ").append(s.samples).append(" asked, ").append(s.answered)
                        .append(" answered").append(s.lastError.isEmpty() ? "" : ", last error: " + s.lastError)
                        .append('\n');
            }
        }
        return b.toString();
    }

    /** Stops watching; the figures stay readable and end here. */
    @Override
    public void close() throws InterruptedException {
        if (!stop) {
            stoppedAt = System.nanoTime();
            stop = true;
        }
        for (Sampler s : samplers) {
            s.thread.join(10_000);
        }
    }

    private final class Sampler implements Runnable {
        final Target target;
        final Thread thread;
        private Connection connection;
        private long samples;
        private long answered;
        /** When the latest finished sample's question was sent. */
        private long lastDone;
        private boolean writable;
        /** Since when the node has been writable, or -1. */
        private long openSince = -1;
        private final List<long[]> closed = new ArrayList<>();
        private String lastError = "";

        Sampler(Target target) {
            this.target = target;
            this.thread = new Thread(this, "writable-monitor-" + target.node());
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                long sent = System.nanoTime();
                Boolean answer = ask();
                long got = System.nanoTime();
                synchronized (this) {
                    samples++;
                    lastDone = sent;
                    if (answer != null) {
                        answered++;
                    }
                    boolean w = Boolean.TRUE.equals(answer);
                    if (w && openSince < 0) {
                        openSince = got;
                    } else if (!w && openSince >= 0) {
                        closed.add(new long[] {openSince, Math.max(openSince, sent)});
                        openSince = -1;
                    }
                    writable = w;
                }
                long next = sent + PERIOD.toNanos();
                long wait = (next - System.nanoTime()) / 1_000_000;
                if (wait > 0) {
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
            }
            close();
        }

        /** True or false from the node; null when it did not answer. */
        private Boolean ask() {
            try {
                if (connection == null) {
                    Properties p = new Properties();
                    p.setProperty("user", "admin");
                    p.setProperty("password", target.password().get());
                    p.setProperty("connectTimeout", Integer.toString(TIMEOUT_SECONDS));
                    p.setProperty("socketTimeout", Integer.toString(TIMEOUT_SECONDS));
                    p.setProperty("loginTimeout", Integer.toString(TIMEOUT_SECONDS));
                    p.setProperty("ApplicationName", "pgrds-faults-monitor");
                    connection = DriverManager.getConnection("jdbc:postgresql://" + target.host() + ":"
                            + target.port() + "/postgres", p);
                }
                try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(QUESTION)) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            } catch (SQLException | RuntimeException e) {
                synchronized (this) {
                    lastError = String.valueOf(e.getMessage());
                }
                close();
                return null;
            }
        }

        private void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // already broken
                }
                connection = null;
            }
        }

        synchronized long samples() {
            return samples;
        }

        /** Whether the latest sample (answered or not) was a question sent after {@code nanoTime}. */
        synchronized boolean lastAnswerAskedAfter(long nanoTime) {
            return samples > 0 && lastDone > nanoTime;
        }

        synchronized boolean writable() {
            return writable;
        }

        /** The writable intervals so far, the open one ending at {@code end}. */
        synchronized List<long[]> intervals(long end) {
            List<long[]> out = new ArrayList<>(closed);
            if (openSince >= 0 && end > openSince) {
                out.add(new long[] {openSince, end});
            }
            return out;
        }
    }
}
