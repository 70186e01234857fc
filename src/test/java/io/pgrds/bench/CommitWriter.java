package io.pgrds.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Properties;

/**
 * A client that commits without pause: single-row autocommit inserts of increasing ids into {@code writes(id)}
 * through a multi-host URL that follows the primary, reconnecting after any error (after {@link #RETRY_MILLIS}).
 * Records the id and the time of every acknowledged commit; an id that was not acknowledged is never reused, so
 * the acknowledged ids are exactly what must survive.
 */
final class CommitWriter implements AutoCloseable {
    static final long RETRY_MILLIS = 10;

    private final String url;
    private final Properties login = new Properties();
    private final Thread thread;
    private volatile boolean stop;

    private final Object lock = new Object();
    private long[] ids = new long[1 << 16];
    private long[] nanos = new long[1 << 16];
    private int acked;
    private long failures;
    private String lastFailure = "";

    /** The wall-clock millisecond at nanoTime 0, to put ack times beside log lines. */
    private final long wallAtNanoZero = System.currentTimeMillis() - System.nanoTime() / 1_000_000;

    CommitWriter(String url, String user, String password) {
        this.url = url;
        login.setProperty("user", user);
        login.setProperty("password", password);
        this.thread = new Thread(this::loop, "bench-writer");
        thread.setDaemon(true);
    }

    CommitWriter start() {
        thread.start();
        return this;
    }

    private void loop() {
        long id = 0;
        Connection c = null;
        while (!stop) {
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url, login);
                }
                long next = id + 1;
                try (PreparedStatement s = c.prepareStatement("insert into writes values (?)")) {
                    s.setLong(1, next);
                    s.executeUpdate();
                }
                long now = System.nanoTime();
                id = next;
                record(id, now);
            } catch (SQLException e) {
                id++; // this id may or may not have committed: never reuse it, never count it
                synchronized (lock) {
                    failures++;
                    lastFailure = e.getMessage();
                }
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (SQLException ignored) {
                    // already broken
                }
                c = null;
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // closing at the end
        }
    }

    private void record(long id, long now) {
        synchronized (lock) {
            if (acked == ids.length) {
                ids = Arrays.copyOf(ids, acked * 2);
                nanos = Arrays.copyOf(nanos, acked * 2);
            }
            ids[acked] = id;
            nanos[acked] = now;
            acked++;
        }
    }

    /** How many commits were acknowledged so far. */
    int acked() {
        synchronized (lock) {
            return acked;
        }
    }

    /** Waits until a commit is acknowledged after {@code nanoTime}; false after {@code timeoutMillis}. */
    boolean awaitAckAfter(long nanoTime, long timeoutMillis) throws InterruptedException {
        long until = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < until) {
            synchronized (lock) {
                if (acked > 0 && nanos[acked - 1] > nanoTime) {
                    return true;
                }
            }
            Thread.sleep(5);
        }
        return false;
    }

    /**
     * The longest pause between two consecutive acknowledged commits that overlaps [from, to] (nanoTime): the
     * time the database was unavailable to this client around an event in that span.
     */
    Gap longestGap(long from, long to) {
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

    /** @param lastBefore wall-clock ms of the last commit before the pause; firstAfter of the first after it */
    record Gap(long nanos, long lastBefore, long firstAfter, long lastIdBefore) {
        long millis() {
            return nanos / 1_000_000;
        }
    }

    /** The wall-clock ms of the first commit acknowledged at or after {@code wallMillis}; 0 when none. */
    long firstAckAfter(long wallMillis) {
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

    /** The acknowledged ids, in order, of commits acknowledged in [from, to) (nanoTime). */
    long[] ackedIds(long from, long to) {
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

    long failures() {
        synchronized (lock) {
            return failures;
        }
    }

    String lastFailure() {
        synchronized (lock) {
            return lastFailure;
        }
    }

    private long wall(long nanoTime) {
        return wallAtNanoZero + nanoTime / 1_000_000;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(10_000);
    }
}
