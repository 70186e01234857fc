package io.pgrds.daemon;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.quartz.utils.ConnectionProvider;

/**
 * Quartz's connections to the job store, straight from the PostgreSQL driver: a daemon holds few (one per
 * scheduler thread at most), so no pool is needed. Quartz sets {@code url} and {@code password} from the
 * {@code org.quartz.dataSource.pgrds.*} properties.
 */
public final class JdbcConnections implements ConnectionProvider {
    private String url;
    private String password;

    public void setUrl(String url) {
        this.url = url;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Properties p = new Properties();
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(url, p);
    }

    @Override
    public void shutdown() {
    }

    @Override
    public void initialize() {
    }
}
