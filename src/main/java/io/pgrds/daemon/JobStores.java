package io.pgrds.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz's clustered JDBC job store on PostgreSQL: several daemons share one database, each cluster's job runs
 * on one of them at a time, and a dead daemon's jobs move on after the check-in interval. The Quartz tables are
 * created on first start when {@code qrtz_job_details} is missing.
 */
public final class JobStores {
    private static final Logger LOG = LoggerFactory.getLogger(JobStores.class);
    static final String SCHEMA = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";
    /** Serializes schema creation between daemons starting together (an arbitrary, fixed key). */
    private static final long SCHEMA_LOCK = 0x70677264734c4bL;

    private JobStores() {
    }

    /**
     * @param url      {@code jdbc:postgresql://host:port/db?user=...&password=...}
     * @param password from a file, when not in the URL
     */
    public record Jdbc(String url, Optional<String> password, long checkinMillis) {
        public Jdbc {
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("the job store must be a jdbc:postgresql: URL, not " + redact(url));
            }
        }

        public String redactedUrl() {
            return redact(url);
        }

        Connection connect() throws SQLException {
            Properties p = new Properties();
            password.ifPresent(pw -> p.setProperty("password", pw));
            return DriverManager.getConnection(url, p);
        }

        @Override
        public String toString() {
            return redactedUrl();
        }
    }

    /**
     * One cluster's run, exclusive across every daemon on the job store: a session-level advisory lock keyed by
     * the cluster, released when the run ends or its connection drops (a daemon that dies releases it).
     */
    static final class RunLock implements AutoCloseable {
        private final Connection connection;

        private RunLock(Connection connection) {
            this.connection = connection;
        }

        /** The lock, or null when another run held it for longer than {@code wait}. */
        static RunLock acquire(Jdbc jdbc, io.pgrds.desired.ClusterId id, java.time.Duration wait) {
            Connection c = null;
            try {
                c = jdbc.connect();
                try (Statement s = c.createStatement()) {
                    s.execute("set statement_timeout = " + wait.toMillis());
                    s.execute("select pg_advisory_lock(" + key(id) + ")");
                    s.execute("set statement_timeout = 0");
                }
                return new RunLock(c);
            } catch (SQLException e) {
                closeQuietly(c);
                if ("57014".equals(e.getSQLState())) { // query_canceled: the wait timed out
                    return null;
                }
                throw new IllegalStateException("Unable to take the run lock of " + id + " in the job store "
                        + jdbc.redactedUrl() + ": " + e.getMessage(), e);
            }
        }

        static long key(io.pgrds.desired.ClusterId id) {
            try {
                byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(("pgrds run " + id)
                        .getBytes(StandardCharsets.UTF_8));
                return java.nio.ByteBuffer.wrap(d).getLong();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            closeQuietly(connection); // ends the session: the lock goes with it
        }

        private static void closeQuietly(Connection c) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    LOG.debug("closing a job store connection: {}", e.getMessage());
                }
            }
        }
    }

    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    static Properties properties(Jdbc jdbc) {
        Properties p = new Properties();
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", "pgrds");
        p.setProperty("org.quartz.jobStore.tablePrefix", "qrtz_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(jdbc.checkinMillis()));
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        // without the lock two daemons can acquire triggers of one job at the same moment and both fire it:
        // @DisallowConcurrentExecution then holds within a daemon only (seen in DaemonJobStoreIT)
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        p.setProperty("org.quartz.dataSource.pgrds.connectionProvider.class", JdbcConnections.class.getName());
        p.setProperty("org.quartz.dataSource.pgrds.url", jdbc.url());
        jdbc.password().ifPresent(pw -> p.setProperty("org.quartz.dataSource.pgrds.password", pw));
        return p;
    }

    /** Creates the Quartz tables unless {@code qrtz_job_details} exists, and pgrds's status table unless it exists. */
    static void prepare(Jdbc jdbc) {
        try (Connection c = jdbc.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("select pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
                // pgrds's own table beside Quartz's: every start, as a store made by an older daemon lacks it
                StatusTable.create(s);
                if (exists(s)) {
                    c.commit();
                    return;
                }
                for (String statement : statements(schema())) {
                    s.execute(statement);
                }
            }
            c.commit();
            LOG.info("created the Quartz tables in {}", jdbc.redactedUrl());
        } catch (SQLException e) {
            throw new IllegalStateException("Unable to prepare the job store " + jdbc.redactedUrl() + ": "
                    + e.getMessage() + ". Check the URL, the user's rights (CREATE on the schema) and the password.", e);
        }
    }

    private static boolean exists(Statement s) throws SQLException {
        try (ResultSet r = s.executeQuery("select to_regclass('qrtz_job_details') is not null")) {
            r.next();
            return r.getBoolean(1);
        }
    }

    static String schema() {
        try (InputStream in = JobStores.class.getClassLoader().getResourceAsStream(SCHEMA)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA + " is missing from the classpath (the quartz jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SQL statements of a script without comments, split at semicolons. */
    static List<String> statements(String script) {
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n")) {
            String l = line.strip();
            if (!l.startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        List<String> out = new ArrayList<>();
        for (String part : sql.toString().split(";")) {
            String p = part.strip();
            if (!p.isEmpty() && !p.equalsIgnoreCase("commit")) {
                out.add(p);
            }
        }
        return out;
    }
}
