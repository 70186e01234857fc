package io.pgrds.daemon;

import io.pgrds.desired.ClusterId;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which daemon watches which cluster: one session-level advisory lock per cluster in the job store's database, all
 * held on one connection of this daemon. The locks go with the session: when this daemon dies (or its connection
 * does), every lock it held is free, and another daemon takes the watch at its next try, within one health interval.
 */
final class WatchLocks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final JobStores.Jdbc jdbc;
    private final Set<ClusterId> held = new HashSet<>();
    private Connection connection;

    WatchLocks(JobStores.Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether this daemon holds the watch of {@code id}: already, or now (taken when free). */
    synchronized boolean hold(ClusterId id) {
        try {
            if (connection == null || !connection.isValid(2)) {
                reconnect();
            }
            if (held.contains(id)) {
                return true;
            }
            try (Statement s = connection.createStatement();
                 ResultSet r = s.executeQuery("select pg_try_advisory_lock(" + key(id) + ")")) {
                r.next();
                if (r.getBoolean(1)) {
                    held.add(id);
                    return true;
                }
                return false;
            }
        } catch (SQLException e) {
            LOG.warn("the watch locks in the job store {} cannot be read: {}; no cluster is watched by this daemon "
                    + "until they can", jdbc.redactedUrl(), e.getMessage());
            drop();
            return false;
        }
    }

    /** Gives the watch of {@code id} up (the cluster left the repository or its failover is manual again). */
    synchronized void release(ClusterId id) {
        if (held.remove(id) && connection != null) {
            try (Statement s = connection.createStatement()) {
                s.execute("select pg_advisory_unlock(" + key(id) + ")");
            } catch (SQLException e) {
                drop();
            }
        }
    }

    private void reconnect() throws SQLException {
        drop();
        connection = jdbc.connect();
    }

    /** A lost session lost its locks with it: nothing is held any more. */
    private void drop() {
        held.clear();
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // broken already
            }
            connection = null;
        }
    }

    static long key(ClusterId id) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(("pgrds watch " + id)
                    .getBytes(StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(d).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        drop();
    }
}
