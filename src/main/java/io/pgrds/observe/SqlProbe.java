package io.pgrds.observe;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The SQL-side facts of one running node, read with PostgreSQL JDBC (over the node's SSH tunnel). Read-only:
 * four queries in one connection. {@code pg_stat_archiver} is readable by every role, so the management role needs
 * no monitoring privilege for it.
 */
final class SqlProbe {
    private SqlProbe() {
    }

    /** How to log in. The password is never logged or printed. */
    record Login(String host, int port, String user, Optional<String> password) {
        @Override
        public String toString() {
            return user + "@" + host + ":" + port;
        }
    }

    static SqlFacts read(Login login, int timeoutSeconds) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", login.user());
        login.password().ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("socketTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("ApplicationName", "pgrds observe");
        p.setProperty("sslmode", "disable"); // the SSH tunnel already protects the connection
        p.setProperty("assumeMinServerVersion", "10");
        String url = "jdbc:postgresql://" + login.host() + ":" + login.port() + "/postgres";
        try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
            c.setReadOnly(true);
            String version;
            boolean inRecovery;
            Optional<Lsn> current;
            Optional<Lsn> receive;
            Optional<Lsn> replay;
            Optional<Long> lag;
            Optional<String> receiver;
            Optional<Integer> timeline;
            Optional<String> sender;
            Optional<Long> messageAge;
            int connections;
            int maxConnections;
            ArchiverStats archiver;
            try (ResultSet r = s.executeQuery("select current_setting('server_version'), pg_is_in_recovery(), "
                    + "case when pg_is_in_recovery() then null else pg_current_wal_lsn()::text end, "
                    + "case when pg_is_in_recovery() then null "
                    + "     else ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int end, "
                    + "pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text, "
                    + "case when not pg_is_in_recovery() then null "
                    + "     when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0 "
                    + "     else (extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000)::bigint end, "
                    + "(select status from pg_stat_wal_receiver limit 1), "
                    + "(select sender_host || ':' || sender_port from pg_stat_wal_receiver limit 1), "
                    + "(select (extract(epoch from now() - last_msg_receipt_time) * 1000)::bigint "
                    + "   from pg_stat_wal_receiver limit 1), "
                    + "(select count(*) from pg_stat_activity where backend_type = 'client backend')::int, "
                    + "current_setting('max_connections')::int, "
                    + "a.archived_count, a.last_archived_wal, "
                    + "(extract(epoch from a.last_archived_time) * 1000)::bigint, "
                    + "a.failed_count, a.last_failed_wal, (extract(epoch from a.last_failed_time) * 1000)::bigint, "
                    + "(extract(epoch from now()) * 1000)::bigint "
                    + "from pg_stat_archiver a")) { // always exactly one row
                r.next();
                version = r.getString(1).split(" ")[0];
                inRecovery = r.getBoolean(2);
                current = lsn(r.getString(3));
                long tli = r.getLong(4);
                timeline = r.wasNull() ? Optional.empty() : Optional.of((int) tli);
                receive = lsn(r.getString(5));
                replay = lsn(r.getString(6));
                long l = r.getLong(7);
                lag = r.wasNull() ? Optional.empty() : Optional.of(l);
                receiver = Optional.ofNullable(r.getString(8));
                sender = Optional.ofNullable(r.getString(9));
                messageAge = optionalLong(r, 10);
                connections = r.getInt(11);
                maxConnections = r.getInt(12);
                archiver = new ArchiverStats(r.getLong(13), Optional.ofNullable(r.getString(14)), optionalLong(r, 15),
                        r.getLong(16), Optional.ofNullable(r.getString(17)), optionalLong(r, 18), r.getLong(19));
            }
            if (inRecovery && timeline.isEmpty()) {
                timeline = replayTimeline(s);
            }
            List<ReplicationPeer> peers = new ArrayList<>();
            if (!inRecovery) {
                try (ResultSet r = s.executeQuery("select application_name, coalesce(client_addr::text, 'local'), "
                        + "state, replay_lsn::text, "
                        + "coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint, "
                        + "(extract(epoch from replay_lag) * 1000)::bigint "
                        + "from pg_stat_replication order by application_name")) {
                    while (r.next()) {
                        long ms = r.getLong(6);
                        Optional<Long> replayLag = r.wasNull() ? Optional.empty() : Optional.of(ms);
                        peers.add(new ReplicationPeer(r.getString(1), r.getString(2), r.getString(3),
                                lsn(r.getString(4)), r.getLong(5), replayLag));
                    }
                }
            }
            TreeMap<String, Setting> settings = new TreeMap<>();
            try (ResultSet r = s.executeQuery("select name, setting, coalesce(unit, ''), context, pending_restart "
                    + "from pg_settings")) {
                while (r.next()) {
                    settings.put(r.getString(1), new Setting(r.getString(2), r.getString(3), r.getString(4),
                            r.getBoolean(5)));
                }
            }
            List<String> roles = new ArrayList<>();
            try (ResultSet r = s.executeQuery("select rolname from pg_roles where rolname !~ '^pg_' order by 1")) {
                while (r.next()) {
                    roles.add(r.getString(1));
                }
            }
            return new SqlFacts(version, inRecovery, current, receive, replay, lag, receiver, peers, settings, roles,
                    connections, maxConnections, Optional.of(archiver), sender, messageAge, timeline);
        }
    }

    /**
     * The timeline a standby replays now. pg_control's "Latest checkpoint's TimeLineID" lags behind it until the next
     * restartpoint, so two standbys on the same timeline may show different ones there, and one that could not follow
     * a new timeline may show the same as one that did: ordering failover candidates by it could promote the one that
     * holds less. PostgreSQL 15 has no function for it, but the startup process names the WAL file it reads in its
     * process title ("startup recovering 0000000C0000000000000006"), whose first eight digits are that timeline. Read
     * through /proc as a superuser; empty when that is not possible (then pg_control's value is used).
     */
    private static Optional<Integer> replayTimeline(Statement s) {
        try (ResultSet r = s.executeQuery("select substring(encode(pg_read_binary_file('/proc/' || pid || '/cmdline'), "
                + "'escape') from 'startup [a-z ]*([0-9A-F]{8})[0-9A-F]{16}') from pg_stat_activity "
                + "where backend_type = 'startup' limit 1")) {
            if (r.next() && r.getString(1) != null) {
                return Optional.of(Integer.parseInt(r.getString(1), 16));
            }
        } catch (SQLException | NumberFormatException e) {
            // not a superuser, no /proc, or no process title: pg_control's timeline it is
        }
        return Optional.empty();
    }

    private static Optional<Long> optionalLong(ResultSet r, int column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? Optional.empty() : Optional.of(v);
    }

    private static Optional<Lsn> lsn(String text) {
        return text == null ? Optional.empty() : Optional.of(Lsn.parse(text));
    }
}
