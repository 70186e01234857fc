package io.pgrds.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.ClusterId;
import io.pgrds.util.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clusters' statuses in the shared job store's database, next to Quartz's tables: one row per scheduler name and
 * cluster holding the cluster's entry of /status (without {@code watch}, which is each daemon's own). A change reads
 * the row {@code for update}, so a run and a backup finishing at once on two daemons both land. Rows of another
 * {@code format_version} are read as pending (a newer daemon's, or an older one's, until this one writes).
 *
 * <p>When the database cannot be read, the last rows read are served and {@link #ok()} turns false (the metric
 * {@code pgrds_status_store_up}); a change that cannot be written is logged and kept for this daemon only.
 */
final class StatusTable implements StatusStore {
    private static final Logger LOG = LoggerFactory.getLogger(StatusTable.class);
    static final String TABLE = "pgrds_cluster_status";
    static final String DDL = "create table if not exists " + TABLE + " (sched_name varchar(120) not null, "
            + "cluster text not null, format_version text not null, status text not null, "
            + "updated_at timestamptz not null default now(), updated_by text not null, "
            + "primary key (sched_name, cluster))";

    private final JobStores.Jdbc jdbc;
    private final String scheduler;
    private final String instance;
    private final StatusStore.Memory lastRead = new StatusStore.Memory();
    private volatile boolean ok = true;

    StatusTable(JobStores.Jdbc jdbc, String scheduler, String instance) {
        this.jdbc = jdbc;
        this.scheduler = scheduler;
        this.instance = instance;
    }

    /** False while the last read or write of the table failed. */
    boolean ok() {
        return ok;
    }

    @Override
    public List<ClusterStatus> all() {
        try (Connection c = jdbc.connect(); PreparedStatement s = c.prepareStatement("select cluster, format_version, "
                + "status from " + TABLE + " where sched_name = ? order by cluster")) {
            s.setString(1, scheduler);
            List<ClusterStatus> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(read(r.getString(1), r.getString(2), r.getString(3)));
                }
            }
            out.sort(java.util.Comparator.comparing(ClusterStatus::cluster));
            lastRead.all().forEach(x -> lastRead.remove(x.cluster()));
            out.forEach(x -> lastRead.update(x.cluster(), before -> x));
            ok = true;
            return out;
        } catch (SQLException e) {
            failed("read the clusters' status", e);
            return lastRead.all();
        }
    }

    @Override
    public Optional<ClusterStatus> get(ClusterId id) {
        try (Connection c = jdbc.connect(); PreparedStatement s = c.prepareStatement("select format_version, status "
                + "from " + TABLE + " where sched_name = ? and cluster = ?")) {
            s.setString(1, scheduler);
            s.setString(2, id.toString());
            try (ResultSet r = s.executeQuery()) {
                ok = true;
                return r.next() ? Optional.of(read(id.toString(), r.getString(1), r.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            failed("read the status of " + id, e);
            return lastRead.get(id);
        }
    }

    @Override
    public ClusterStatus update(ClusterId id, UnaryOperator<ClusterStatus> change) {
        try (Connection c = jdbc.connect()) {
            c.setAutoCommit(false);
            insertPending(c, id);
            ClusterStatus before;
            try (PreparedStatement s = c.prepareStatement("select format_version, status from " + TABLE
                    + " where sched_name = ? and cluster = ? for update")) {
                s.setString(1, scheduler);
                s.setString(2, id.toString());
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    before = read(id.toString(), r.getString(1), r.getString(2));
                }
            }
            ClusterStatus after = change.apply(before);
            try (PreparedStatement s = c.prepareStatement("update " + TABLE + " set format_version = ?, status = ?, "
                    + "updated_at = now(), updated_by = ? where sched_name = ? and cluster = ?")) {
                s.setString(1, StatusJson.FORMAT_VERSION);
                s.setString(2, StatusJson.stored(after));
                s.setString(3, instance);
                s.setString(4, scheduler);
                s.setString(5, id.toString());
                s.executeUpdate();
            }
            c.commit();
            ok = true;
            lastRead.update(id, x -> after);
            return after;
        } catch (SQLException e) {
            failed("write the status of " + id, e);
            return lastRead.update(id, change);
        }
    }

    @Override
    public void add(ClusterId id) {
        try (Connection c = jdbc.connect()) {
            insertPending(c, id);
            ok = true;
        } catch (SQLException e) {
            failed("add " + id, e);
        }
        lastRead.add(id);
    }

    @Override
    public void remove(ClusterId id) {
        try (Connection c = jdbc.connect(); PreparedStatement s = c.prepareStatement("delete from " + TABLE
                + " where sched_name = ? and cluster = ?")) {
            s.setString(1, scheduler);
            s.setString(2, id.toString());
            s.executeUpdate();
            ok = true;
        } catch (SQLException e) {
            failed("remove " + id, e);
        }
        lastRead.remove(id);
    }

    private void insertPending(Connection c, ClusterId id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into " + TABLE + " (sched_name, cluster, format_version, "
                + "status, updated_by) values (?, ?, ?, ?, ?) on conflict do nothing")) {
            s.setString(1, scheduler);
            s.setString(2, id.toString());
            s.setString(3, StatusJson.FORMAT_VERSION);
            s.setString(4, StatusJson.stored(ClusterStatus.pending(id)));
            s.setString(5, instance);
            s.executeUpdate();
        }
    }

    private static ClusterStatus read(String cluster, String version, String status) {
        ClusterId id = ClusterId.parse(cluster);
        if (!StatusJson.FORMAT_VERSION.equals(version)) {
            return ClusterStatus.pending(id);
        }
        try {
            JsonNode o = Json.mapper().readTree(status);
            return StatusJson.read(o);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("{}: its status in the job store cannot be read ({}); shown as pending until its next run", id,
                    e.getMessage());
            return ClusterStatus.pending(id);
        }
    }

    private void failed(String what, SQLException e) {
        if (ok) {
            LOG.warn("Unable to {} in the job store {}: {}; serving the last status read", what, jdbc.redactedUrl(),
                    e.getMessage());
        }
        ok = false;
    }

    /** Creates the table unless it exists (every start: a job store made by an older daemon lacks it). */
    static void create(Statement s) throws SQLException {
        s.execute(DDL);
    }
}
