package io.pgrds.observe;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.ShellOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A health check of one cluster's primary over connections kept open between checks: SSH to its node, the tunnel
 * to its server, one JDBC session. A check is one round trip when all is well; when a connection broke it is made
 * again within the check's own time limit, so that a dead host costs one limit per check and no more.
 */
public final class PrimaryHealth implements AutoCloseable {
    private final DesiredCluster cluster;
    private final NodeSpec node;
    private final ShellOptions options;
    private final Sessions.Opener opener;
    private final Duration limit;
    private Sessions sessions;
    private Connection connection;

    /**
     * What one check found. {@code lagBytes}: per standby streaming from it, the WAL it has yet to flush;
     * {@code startedAt}: when its server started ({@code pg_postmaster_start_time()}), so that a restart by anyone
     * is seen.
     */
    public record Check(boolean ok, Map<String, Long> lagBytes, Optional<String> error, Optional<Instant> startedAt) {
        static Check failed(String why) {
            return new Check(false, Map.of(), Optional.of(why), Optional.empty());
        }
    }

    /**
     * @param limit how long one check may take, connecting included (at least 1 s: JDBC counts in seconds)
     */
    public PrimaryHealth(DesiredCluster cluster, NodeSpec node, ShellOptions options, Sessions.Opener opener,
                         Duration limit) {
        this.cluster = cluster;
        this.node = node;
        this.limit = limit.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : limit;
        this.options = options.withConnectTimeout(this.limit).withCommandTimeout(this.limit);
        this.opener = opener;
    }

    public NodeSpec node() {
        return node;
    }

    /** Asks the server whether it runs as a primary, and how far behind its standbys are. */
    public Check check() {
        try {
            if (connection == null || connection.isClosed()) {
                connect();
            }
            int seconds = (int) Math.max(1, limit.toSeconds());
            try (Statement s = connection.createStatement()) {
                s.setQueryTimeout(seconds);
                Map<String, Long> lag = new TreeMap<>();
                Instant started;
                try (ResultSet r = s.executeQuery("select pg_is_in_recovery(), pg_postmaster_start_time()")) {
                    r.next();
                    if (r.getBoolean(1)) {
                        return Check.failed(node.name() + " runs as a standby");
                    }
                    started = r.getTimestamp(2).toInstant();
                }
                try (ResultSet r = s.executeQuery("select application_name, coalesce(pg_wal_lsn_diff("
                        + "pg_current_wal_lsn(), flush_lsn), 0)::bigint from pg_stat_replication "
                        + "where state = 'streaming'")) {
                    while (r.next()) {
                        lag.put(r.getString(1), r.getLong(2));
                    }
                }
                return new Check(true, lag, Optional.empty(), Optional.of(started));
            }
        } catch (SQLException | RuntimeException e) {
            dropConnections();
            return Check.failed(node.name() + ": " + firstLine(String.valueOf(e.getMessage())));
        }
    }

    private void connect() throws SQLException {
        dropConnections();
        sessions = new Sessions(options, opener);
        NodeShell shell = sessions.shell(cluster.transport(), node);
        NodeShell.ExecResult pw = shell.exec(NodeShell.Exec.asPostgres("sh", "-c", "cat \"$1\" 2>/dev/null; exit 0",
                "sh", NodePaths.of(node).secrets() + "/pgrds.password"));
        NodeShell.Endpoint at = shell.tunnel(node.host(), node.port());
        Properties p = new Properties();
        String password = pw.stdout().strip();
        p.setProperty("user", password.isEmpty() ? "postgres" : "pgrds");
        if (!password.isEmpty()) {
            p.setProperty("password", password); // never logged
        }
        String seconds = Long.toString(Math.max(1, limit.toSeconds()));
        p.setProperty("connectTimeout", seconds);
        p.setProperty("socketTimeout", seconds);
        p.setProperty("loginTimeout", seconds);
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "pgrds watch");
        p.setProperty("sslmode", "disable"); // the SSH tunnel already protects the connection
        p.setProperty("assumeMinServerVersion", "10");
        connection = DriverManager.getConnection("jdbc:postgresql://" + at.host() + ":" + at.port() + "/postgres", p);
        connection.setReadOnly(true);
    }

    private void dropConnections() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // broken already
            }
            connection = null;
        }
        if (sessions != null) {
            try {
                sessions.close();
            } catch (RuntimeException e) {
                // a connection that broke cannot be closed cleanly either
            }
            sessions = null;
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        dropConnections();
    }
}
