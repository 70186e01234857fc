package io.pgrds.desired.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.Durability;
import io.pgrds.desired.HbaRule;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.PostgresSettings;
import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.desired.ServiceSpec;
import io.pgrds.transport.target.Transport;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Maps one cluster's merged, validated document to its record, with the checks within one cluster that a schema
 * cannot make; a section at a time ({@link NodeReader} for the nodes, {@link BackupReader} for backups).
 */
final class ClusterReader {
    /** Parameters pgrds sets itself from other keys; setting them under parameters would fight pgrds. */
    static final Map<String, String> RESERVED_PARAMETERS = Map.ofEntries(
            Map.entry("port", "it is set by postgres.port"),
            Map.entry("listen_addresses", "pgrds listens on each node's host"),
            Map.entry("data_directory", "it is set by postgres.dataDirectory"),
            Map.entry("hba_file", "pgrds writes pg_hba.conf from postgres.hba"),
            Map.entry("config_file", "pgrds manages the configuration files"),
            Map.entry("unix_socket_directories", "pgrds gives every node its own socket directory"),
            Map.entry("primary_conninfo", "pgrds points standbys at the primary"),
            Map.entry("wal_level", "replication needs replica (pgrds sets it)"),
            Map.entry("hot_standby", "pgrds sets it for standbys"),
            Map.entry("wal_log_hints", "pg_rewind needs it (pgrds sets it)"),
            Map.entry("standard_conforming_strings", "pgrds's SQL strings rely on it being on, PostgreSQL's default "
                    + "(off would let a backslash end a string early)"),
            Map.entry("primary_slot_name", "pgrds points standbys at the primary"),
            Map.entry("restore_command", "pgrds manages recovery (a restore sets it through pgBackRest, and resets it "
                    + "once promoted)"),
            Map.entry("recovery_end_command", "pgrds manages recovery"),
            Map.entry("archive_cleanup_command", "pgrds manages recovery; pgBackRest's retention removes archived "
                    + "WAL"),
            Map.entry("promote_trigger_file", "pgrds promotes with pg_ctl promote, after its safety checks"),
            Map.entry("recovery_target", "pgrds manages recovery (bootstrap.restore.target)"),
            Map.entry("recovery_target_time", "pgrds manages recovery (bootstrap.restore.target)"),
            Map.entry("recovery_target_lsn", "pgrds manages recovery (bootstrap.restore.target)"),
            Map.entry("recovery_target_name", "pgrds manages recovery (bootstrap.restore.target)"),
            Map.entry("recovery_target_xid", "pgrds manages recovery (bootstrap.restore.target)"),
            Map.entry("recovery_target_action", "pgrds manages recovery (bootstrap.restore.target)"));

    /** The recovery targets a restore may name, in the order one is looked for. */
    private static final List<Bootstrap.RecoveryTarget.Kind> TARGETS = List.of(Bootstrap.RecoveryTarget.Kind.TIME,
            Bootstrap.RecoveryTarget.Kind.LSN, Bootstrap.RecoveryTarget.Kind.NAME);

    private ClusterReader() {
    }

    /** The cluster {@code doc} describes; what is wrong in it goes to {@code report}. */
    static DesiredCluster read(ClusterId id, String file, ObjectNode doc, Report report) {
        JsonNode pg = doc.path("postgres");
        int version = pg.path("version").asInt();
        PostgresSettings postgres = new PostgresSettings(version, parameters(pg, report), hba(pg),
                pg.path("systemd").asBoolean(true));
        List<NodeSpec> nodes = NodeReader.nodes(doc, report);
        Optional<String> primary = NodeReader.primary(doc, nodes, report);
        Optional<BackupSpec> backup = BackupReader.backup(doc, report);
        Transport transport = Transport.valueOf(doc.path("transport").asText().toUpperCase(Locale.ROOT));
        ReconcilePolicy policy = ReconcilePolicy.valueOf(
                doc.path("reconcile").path("policy").asText().toUpperCase(Locale.ROOT));
        Durability durability = HaReader.durability(doc, nodes, report);
        HaReader.reservedBy(durability, postgres.parameters().keySet(), report);
        return new DesiredCluster(id, file, transport, postgres, nodes, primary, bootstrap(doc), backup, service(doc),
                policy, List.of(), text(doc.path("fence"), "hook"), durability, HaReader.failover(doc, report));
    }

    private static TreeMap<String, String> parameters(JsonNode pg, Report report) {
        TreeMap<String, String> parameters = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> params = pg.path("parameters").fields();
        while (params.hasNext()) {
            Map.Entry<String, JsonNode> p = params.next();
            String why = RESERVED_PARAMETERS.get(p.getKey());
            if (why != null) {
                report.add("/postgres/parameters/" + p.getKey(), ProblemCode.RESERVED_PARAMETER,
                        "\"" + p.getKey() + "\" cannot be set under parameters: " + why + ". Remove it.");
                continue;
            }
            parameters.put(p.getKey(), parameterText(p.getValue()));
        }
        return parameters;
    }

    private static List<HbaRule> hba(JsonNode pg) {
        List<HbaRule> hba = new ArrayList<>();
        for (JsonNode r : pg.path("hba")) {
            hba.add(new HbaRule(r.path("type").asText(), r.path("database").asText(), r.path("user").asText(),
                    text(r, "address"), r.path("method").asText()));
        }
        return hba;
    }

    private static Bootstrap bootstrap(JsonNode doc) {
        JsonNode restore = doc.path("bootstrap").path("restore");
        if (!restore.isObject()) {
            return new Bootstrap.Initdb();
        }
        JsonNode t = restore.path("target");
        Bootstrap.RecoveryTarget target = Bootstrap.RecoveryTarget.latest();
        for (Bootstrap.RecoveryTarget.Kind kind : TARGETS) {
            String key = kind.name().toLowerCase(Locale.ROOT);
            if (t.has(key)) {
                target = new Bootstrap.RecoveryTarget(kind, t.path(key).asText());
                break;
            }
        }
        return new Bootstrap.Restore(ClusterId.parse(restore.path("from").asText()), target);
    }

    private static Optional<ServiceSpec> service(JsonNode doc) {
        JsonNode s = doc.path("service");
        return s.isObject() ? Optional.of(new ServiceSpec(s.path("name").asText(), text(s, "hook"))) : Optional.empty();
    }

    /** A field's text; empty when it is absent or null. */
    static Optional<String> text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    /** PostgreSQL's own spelling: booleans as on/off, numbers without a trailing .0. */
    static String parameterText(JsonNode v) {
        if (v.isBoolean()) {
            return v.asBoolean() ? "on" : "off";
        }
        if (v.isNumber()) {
            BigDecimal d = v.decimalValue().stripTrailingZeros();
            return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
        }
        return v.asText();
    }
}
