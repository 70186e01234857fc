package io.pgrds.desired.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.BackupType;
import io.pgrds.desired.Become;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.Cron;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.HbaRule;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.PostgresSettings;
import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.desired.Repository;
import io.pgrds.desired.ServiceSpec;
import io.pgrds.desired.SshSettings;
import io.pgrds.desired.Transport;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.source.Snapshot;
import io.pgrds.util.Texts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the desired state from the files of one commit, without any I/O of its own: classify the files,
 * parse each (keeping locations), merge the layers of every cluster, expand placeholders, validate
 * against the schema, map to records, then check what a schema cannot (duplicates, conflicts, references).
 * Every problem of every file is collected; nothing stops at the first.
 */
public final class FleetLoader {
    public static final String DEFAULTS = "clusters/defaults.yaml";

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

    private static final byte[] BUILTIN = builtinDefaults();

    private FleetLoader() {
    }

    /** The fleet and every problem found. The fleet holds only the clusters without problems. */
    public record Result(DesiredFleet fleet, List<Problem> problems) {
        public Result {
            problems = problems.stream().sorted().distinct().toList();
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Loads and validates; throws a {@link PgrdsException} listing every problem when there is any. */
    public static DesiredFleet loadOrThrow(Snapshot snapshot) {
        Result r = load(snapshot);
        if (!r.ok()) {
            throw new PgrdsException(ErrorCode.INVALID_DESIRED_STATE, describe(r.problems()));
        }
        return r.fleet();
    }

    /** All problems, one a line, with a closing count. */
    public static String describe(List<Problem> problems) {
        StringBuilder b = new StringBuilder();
        for (Problem p : problems) {
            b.append(p).append('\n');
        }
        long files = problems.stream().map(Problem::file).distinct().count();
        b.append(problems.size()).append(problems.size() == 1 ? " problem" : " problems").append(" in ")
                .append(files).append(files == 1 ? " file" : " files").append('.');
        return b.toString();
    }

    public static Result load(Snapshot snapshot) {
        List<Problem> problems = new ArrayList<>();
        YamlFile builtin = YamlFile.parse("(built-in defaults)", BUILTIN, true);
        YamlFile defaults = null;
        Map<String, YamlFile> teamFiles = new HashMap<>();
        Map<ClusterId, YamlFile> clusterFiles = new TreeMap<>();

        for (Map.Entry<String, byte[]> e : snapshot.files().entrySet()) {
            String path = e.getKey();
            if (!path.startsWith("clusters/")) {
                continue;
            }
            String rest = path.substring("clusters/".length());
            String[] parts = rest.split("/", -1);
            boolean yaml = rest.endsWith(".yaml");
            if (rest.endsWith(".yml")) {
                problems.add(new Problem(path, 0, 0, "", ProblemCode.UNEXPECTED_FILE,
                        "fleet files end in .yaml; rename it to " + path.substring(0, path.length() - 4)
                                + ".yaml so that pgrds reads it."));
                continue;
            }
            if (!yaml) {
                continue; // READMEs and the like are fine
            }
            if (parts.length == 1 && parts[0].equals("defaults.yaml")) {
                defaults = YamlFile.parse(path, e.getValue(), true);
                problems.addAll(defaults.problems());
            } else if (parts.length == 2) {
                String team = parts[0];
                String stage = parts[1].substring(0, parts[1].length() - ".yaml".length());
                if (!ClusterId.validName(team)) {
                    problems.add(new Problem(path, 0, 0, "", ProblemCode.INVALID_NAME, "team name "
                            + Texts.show(team) + " is not valid: use lowercase letters, digits and '-', starting "
                            + "with a letter (at most 40 characters); rename the directory."));
                    continue;
                }
                if (stage.equals("team")) {
                    YamlFile f = YamlFile.parse(path, e.getValue(), true);
                    problems.addAll(f.problems());
                    teamFiles.put(team, f);
                    continue;
                }
                if (!ClusterId.validName(stage)) {
                    problems.add(new Problem(path, 0, 0, "", ProblemCode.INVALID_NAME, "stage name "
                            + Texts.show(stage) + " is not valid: use lowercase letters, digits and '-', starting "
                            + "with a letter (at most 40 characters); rename the file."));
                    continue;
                }
                YamlFile f = YamlFile.parse(path, e.getValue(), false);
                problems.addAll(f.problems());
                clusterFiles.put(new ClusterId(team, stage), f);
            } else {
                problems.add(new Problem(path, 0, 0, "", ProblemCode.UNEXPECTED_FILE, "pgrds reads "
                        + "clusters/defaults.yaml, clusters/<team>/team.yaml and clusters/<team>/<stage>.yaml only;"
                        + " move this file to one of those places or remove it."));
            }
        }

        Map<ClusterId, Mapped> mapped = new TreeMap<>();
        for (Map.Entry<ClusterId, YamlFile> e : clusterFiles.entrySet()) {
            ClusterId id = e.getKey();
            List<YamlFile> files = new ArrayList<>();
            files.add(builtin);
            if (defaults != null) {
                files.add(defaults);
            }
            YamlFile team = teamFiles.get(id.team());
            if (team != null) {
                files.add(team);
            }
            files.add(e.getValue());
            if (files.stream().anyMatch(f -> f.root().isEmpty())) {
                continue; // the file's own problem is reported already; merging would only add noise
            }
            Layers layers = new Layers(files, e.getValue().path());
            ObjectNode doc = layers.merge();
            List<SchemaCheck.Finding> findings = ValueChecks.check(doc, placeholders(id, doc));
            if (!findings.isEmpty()) {
                for (SchemaCheck.Finding f : findings) {
                    problems.add(layers.problem(f.pointer(), f.code(), f.message()));
                }
                continue;
            }
            List<Problem> own = new ArrayList<>();
            DesiredCluster cluster = map(id, e.getValue().path(), doc, layers, own);
            cluster = withFormerNodes(cluster, formerNodes(id, cluster, files, snapshot.history()
                    .getOrDefault(e.getValue().path(), List.of())));
            problems.addAll(own);
            mapped.put(id, new Mapped(cluster, layers)); // still checked against the others, dropped below
        }

        problems.addAll(fleetChecks(mapped, clusterFiles.keySet()));
        List<ClusterId> bad = problems.stream()
                .flatMap(p -> clusterOf(p.file()).stream()).distinct().toList();
        List<DesiredCluster> good = mapped.values().stream().map(Mapped::cluster)
                .filter(c -> !bad.contains(c.id())).toList();
        return new Result(new DesiredFleet(snapshot.commit(), good, snapshot.warnings()), problems);
    }

    private record Mapped(DesiredCluster cluster, Layers layers) {
    }

    private static Optional<ClusterId> clusterOf(String file) {
        String[] parts = file.split("/");
        if (parts.length == 3 && parts[2].endsWith(".yaml")) {
            return Optional.of(new ClusterId(parts[1], parts[2].substring(0, parts[2].length() - 5)));
        }
        return Optional.empty();
    }

    // ---- mapping the validated document to records, with the checks within one cluster ----

    private static DesiredCluster map(ClusterId id, String file, ObjectNode doc, Layers layers, List<Problem> out) {
        JsonNode pg = doc.path("postgres");
        int version = pg.path("version").asInt();
        SshSettings clusterSsh = ssh(doc.path("ssh"), null);

        TreeMap<String, String> parameters = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> params = pg.path("parameters").fields();
        while (params.hasNext()) {
            Map.Entry<String, JsonNode> p = params.next();
            String why = RESERVED_PARAMETERS.get(p.getKey());
            if (why != null) {
                out.add(layers.problem("/postgres/parameters/" + p.getKey(), ProblemCode.RESERVED_PARAMETER,
                        "\"" + p.getKey() + "\" cannot be set under parameters: " + why + ". Remove it."));
                continue;
            }
            parameters.put(p.getKey(), parameterText(p.getValue()));
        }
        List<HbaRule> hba = new ArrayList<>();
        for (JsonNode r : pg.path("hba")) {
            hba.add(new HbaRule(r.path("type").asText(), r.path("database").asText(), r.path("user").asText(),
                    text(r, "address"), r.path("method").asText()));
        }

        List<NodeSpec> nodes = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> dataDirs = new HashMap<>();
        Map<String, Integer> ports = new HashMap<>();
        JsonNode nodeList = doc.path("nodes");
        if (nodeList.isMissingNode() || nodeList.size() == 0) {
            out.add(layers.problem("/nodes", ProblemCode.NO_NODES,
                    "the cluster has no nodes; list at least one under `nodes:` (each with a `host:`)."));
        }
        for (int i = 0; i < nodeList.size(); i++) {
            JsonNode n = nodeList.get(i);
            String pointer = "/nodes/" + i;
            String host = n.path("host").asText();
            String name = text(n, "name").orElse(host);
            JsonNode np = n.path("postgres");
            NodeSpec spec = new NodeSpec(name, host, ssh(n.path("ssh"), clusterSsh),
                    text(np, "binDir").orElse(pg.path("binDir").asText()),
                    text(np, "dataDirectory").orElse(pg.path("dataDirectory").asText()),
                    np.has("port") ? np.path("port").asInt() : pg.path("port").asInt());
            Integer first = names.putIfAbsent(name, i);
            if (first != null) {
                out.add(layers.problem(pointer, ProblemCode.DUPLICATE_NODE, "node \"" + name
                        + "\" is listed twice (also at /nodes/" + first + "); remove one, or give each a distinct "
                        + "`name:`."));
                continue;
            }
            first = dataDirs.putIfAbsent(host + "\0" + spec.dataDirectory(), i);
            if (first != null) {
                out.add(layers.problem(pointer, ProblemCode.DATA_DIRECTORY_CONFLICT, "node \"" + name
                        + "\" uses data directory " + spec.dataDirectory() + " on " + host + ", as /nodes/" + first
                        + " does; give one of them its own `postgres: {dataDirectory: …}`."));
            }
            first = ports.putIfAbsent(host + "\0" + spec.port(), i);
            if (first != null) {
                out.add(layers.problem(pointer, ProblemCode.PORT_CONFLICT, "node \"" + name + "\" uses port "
                        + spec.port() + " on " + host + ", as /nodes/" + first + " does; give one of them its own "
                        + "`postgres: {port: …}`."));
            }
            nodes.add(spec);
        }

        Optional<String> primary = text(doc, "primary");
        if (primary.isPresent()) {
            String pin = primary.get();
            Optional<NodeSpec> pinned = nodes.stream().filter(n -> n.name().equals(pin)).findFirst()
                    .or(() -> nodes.stream().filter(n -> n.host().equals(pin)).findFirst());
            if (pinned.isEmpty()) {
                out.add(layers.problem("/primary", ProblemCode.PRIMARY_NOT_A_NODE, "the pinned primary \"" + pin
                        + "\" is not one of the cluster's nodes (" + String.join(", ",
                        nodes.stream().map(NodeSpec::name).toList()) + "); pin one of them or remove `primary:`."));
            } else {
                primary = Optional.of(pinned.get().name());
            }
        }

        Bootstrap bootstrap = new Bootstrap.Initdb();
        JsonNode restore = doc.path("bootstrap").path("restore");
        if (restore.isObject()) {
            JsonNode t = restore.path("target");
            Bootstrap.RecoveryTarget target = Bootstrap.RecoveryTarget.latest();
            if (t.has("time")) {
                target = new Bootstrap.RecoveryTarget(Bootstrap.RecoveryTarget.Kind.TIME, t.path("time").asText());
            } else if (t.has("lsn")) {
                target = new Bootstrap.RecoveryTarget(Bootstrap.RecoveryTarget.Kind.LSN, t.path("lsn").asText());
            } else if (t.has("name")) {
                target = new Bootstrap.RecoveryTarget(Bootstrap.RecoveryTarget.Kind.NAME, t.path("name").asText());
            }
            bootstrap = new Bootstrap.Restore(ClusterId.parse(restore.path("from").asText()), target);
        }

        Map<String, Repository> repositories = repositories(doc.path("repositories"), layers, out);
        Optional<BackupSpec> backup = Optional.empty();
        JsonNode b = doc.path("backup");
        if (b.isObject()) {
            TreeMap<String, Integer> retention = new TreeMap<>();
            b.path("retention").fields().forEachRemaining(r -> retention.put(r.getKey(), r.getValue().asInt()));
            TreeMap<BackupType, String> schedule = schedule(b.path("schedule"), layers, out);
            String name = b.path("repository").asText();
            Repository repository = repositories.get(name);
            if (repository == null) {
                if (!doc.path("repositories").has(name)) {
                    out.add(layers.problem("/backup/repository", ProblemCode.BACKUP_REPOSITORY_UNKNOWN,
                            "the backup repository \"" + name + "\" is not declared under `repositories:` ("
                                    + (repositories.isEmpty() ? "none is" : "declared: " + String.join(", ",
                                    new java.util.TreeSet<>(repositories.keySet()))) + "); declare it, typically "
                                    + "in clusters/defaults.yaml, or name a declared one."));
                }
            } else {
                backup = Optional.of(new BackupSpec(repository, schedule, retention,
                        b.path("fromStandby").asBoolean(false)));
            }
        }
        Optional<ServiceSpec> service = Optional.empty();
        JsonNode s = doc.path("service");
        if (s.isObject()) {
            service = Optional.of(new ServiceSpec(s.path("name").asText(), text(s, "hook")));
        }
        Transport transport = Transport.valueOf(doc.path("transport").asText().toUpperCase(Locale.ROOT));
        ReconcilePolicy policy = ReconcilePolicy.valueOf(
                doc.path("reconcile").path("policy").asText().toUpperCase(Locale.ROOT));
        return new DesiredCluster(id, file, transport, new PostgresSettings(version, parameters, hba), nodes, primary,
                bootstrap, backup, service, policy, List.of(), text(doc.path("fence"), "hook"));
    }

    /**
     * {@code backup.schedule}: one expression (a full backup's) or one per type. An expression Quartz cannot use is
     * reported at its key and left out, so that a cluster whose bad expression sits in a shared file still loads.
     */
    private static TreeMap<BackupType, String> schedule(JsonNode node, Layers layers, List<Problem> out) {
        TreeMap<BackupType, String> schedule = new TreeMap<>();
        if (node.isTextual()) {
            schedule.put(BackupType.FULL, node.asText());
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> BackupType.of(e.getKey())
                    .ifPresent(t -> schedule.put(t, e.getValue().asText())));
        }
        schedule.entrySet().removeIf(e -> {
            Optional<String> problem = Cron.problem(e.getValue());
            problem.ifPresent(why -> out.add(layers.problem("/backup/schedule" + (node.isObject() ? "/"
                    + e.getKey().key() : ""), ProblemCode.INVALID_SCHEDULE, why)));
            return problem.isPresent();
        });
        return schedule;
    }

    /** The declared repositories; one that lacks what its type needs is reported and left out. */
    private static Map<String, Repository> repositories(JsonNode node, Layers layers, List<Problem> out) {
        Map<String, Repository> all = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode r = e.getValue();
            String pointer = "/repositories/" + YamlFile.escape(name);
            String type = r.path("type").asText();
            List<String> needs = type.equals("posix") ? List.of("path")
                    : List.of("bucket", "endpoint", "region", "credentialsFile");
            List<String> missing = needs.stream().filter(k -> !r.hasNonNull(k)).toList();
            if (!missing.isEmpty()) {
                out.add(layers.problem(pointer, ProblemCode.MISSING_KEY, "a " + type + " repository needs "
                        + String.join(", ", missing) + "; add " + (missing.size() == 1 ? "it" : "them") + "."));
                continue;
            }
            if (type.equals("posix")) {
                all.put(name, new Repository.Posix(name, r.path("path").asText()));
            } else {
                all.put(name, new Repository.S3(name, r.path("bucket").asText(), r.path("endpoint").asText(),
                        r.path("region").asText(), text(r, "path").orElse("/pgbackrest"),
                        r.path("credentialsFile").asText(), text(r, "caFile"),
                        text(r, "uriStyle").orElse("host").equals("path"), r.path("verifyTls").asBoolean(true)));
            }
        }
        return all;
    }

    /**
     * The nodes earlier versions of the cluster file listed that this one does not, each resolved with today's
     * defaults and team file. Versions that no longer parse are skipped: this is a search for servers that may
     * hold the cluster's data, not a validation.
     */
    private static List<NodeSpec> formerNodes(ClusterId id, DesiredCluster now, List<YamlFile> layers,
                                              List<byte[]> versions) {
        Map<String, NodeSpec> found = new LinkedHashMap<>();
        java.util.Set<String> current = new java.util.HashSet<>();
        now.nodes().forEach(n -> {
            current.add(n.name());
            current.add(n.host() + ":" + n.dataDirectory());
        });
        for (byte[] version : versions) {
            YamlFile old = YamlFile.parse(now.file(), version, false);
            if (old.root().isEmpty()) {
                continue;
            }
            List<YamlFile> files = new ArrayList<>(layers.subList(0, layers.size() - 1));
            files.add(old);
            try {
                ObjectNode doc = new Layers(files, now.file()).merge();
                if (!ValueChecks.check(doc, placeholders(id, doc)).isEmpty()) {
                    continue;
                }
                DesiredCluster then = map(id, now.file(), doc, new Layers(files, now.file()), new ArrayList<>());
                for (NodeSpec n : then.nodes()) {
                    if (!current.contains(n.name()) && !current.contains(n.host() + ":" + n.dataDirectory())) {
                        found.putIfAbsent(n.name(), n);
                    }
                }
            } catch (RuntimeException e) {
                // an old version pgrds cannot read any more holds no servers it can find
            }
        }
        return new ArrayList<>(found.values());
    }

    /** The values of {team}, {stage} and {version} for one cluster's merged document. */
    private static Map<String, String> placeholders(ClusterId id, JsonNode doc) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("team", id.team());
        vars.put("stage", id.stage());
        JsonNode version = doc.path("postgres").path("version");
        // a version that is not a number (the schema says so) is not copied into every path: {version} stays
        vars.put("version", version.isIntegralNumber() || version.isTextual() && version.asText().matches("[0-9]{1,2}")
                ? version.asText() : "{version}");
        return vars;
    }

    private static DesiredCluster withFormerNodes(DesiredCluster c, List<NodeSpec> former) {
        return new DesiredCluster(c.id(), c.file(), c.transport(), c.postgres(), c.nodes(), c.primary(), c.bootstrap(),
                c.backup(), c.service(), c.policy(), former, c.fence());
    }

    private static SshSettings ssh(JsonNode n, SshSettings base) {
        String user = text(n, "user").orElse(base == null ? "root" : base.user());
        int port = n.has("port") ? n.path("port").asInt() : base == null ? 22 : base.port();
        Optional<String> identity = text(n, "identityFile").or(() -> base == null ? Optional.empty()
                : base.identityFile());
        Optional<String> knownHosts = text(n, "knownHostsFile").or(() -> base == null ? Optional.empty()
                : base.knownHostsFile());
        Become become = text(n, "become").map(v -> Become.valueOf(v.toUpperCase(Locale.ROOT)))
                .orElse(base == null ? Become.SUDO : base.become());
        return new SshSettings(user, port, identity, knownHosts, become);
    }

    private static Optional<String> text(JsonNode n, String field) {
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

    // ---- checks across clusters ----

    private static List<Problem> fleetChecks(Map<ClusterId, Mapped> clusters, Set<ClusterId> allIds) {
        List<Problem> out = new ArrayList<>();
        Map<String, ClusterId> hostOwner = new HashMap<>();
        for (Mapped m : clusters.values()) {
            DesiredCluster c = m.cluster();
            for (int i = 0; i < c.nodes().size(); i++) {
                String host = c.nodes().get(i).host();
                ClusterId owner = hostOwner.putIfAbsent(host, c.id());
                if (owner != null && !owner.equals(c.id())) {
                    out.add(m.layers().problem("/nodes/" + i + "/host", ProblemCode.HOST_IN_TWO_CLUSTERS, "host "
                            + host + " is already a node of " + owner + "; a server belongs to one cluster. "
                            + "Use another server, or remove it from " + owner + " first."));
                }
            }
            if (c.bootstrap() instanceof Bootstrap.Restore r) {
                if (r.from().equals(c.id())) {
                    out.add(m.layers().problem("/bootstrap/restore/from", ProblemCode.RESTORE_SOURCE_UNKNOWN,
                            "a cluster cannot be restored from itself; name another cluster's team/stage."));
                } else if (!allIds.contains(r.from())) {
                    out.add(m.layers().problem("/bootstrap/restore/from", ProblemCode.RESTORE_SOURCE_UNKNOWN,
                            "the restore source " + r.from() + " is not a cluster of this repository (clusters/"
                                    + r.from() + ".yaml does not exist); name an existing team/stage."));
                } else if (clusters.containsKey(r.from()) && clusters.get(r.from()).cluster().backup().isEmpty()) {
                    out.add(m.layers().problem("/bootstrap/restore/from", ProblemCode.RESTORE_SOURCE_UNKNOWN,
                            "the restore source " + r.from() + " has no `backup:`, so there are no backups to "
                                    + "restore from; add `backup: {repository: …}` to " + r.from() + " first."));
                }
            }
        }
        return out;
    }

    private static byte[] builtinDefaults() {
        try (InputStream in = FleetLoader.class.getResourceAsStream("/io/pgrds/builtin-defaults.yaml")) {
            if (in == null) {
                throw new IllegalStateException("builtin-defaults.yaml is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
