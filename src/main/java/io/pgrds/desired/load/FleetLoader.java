package io.pgrds.desired.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.NodeSpec;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.source.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the desired state from the files of one commit, without any I/O of its own: classify the files and
 * parse each, keeping locations ({@link FleetFiles}), merge the layers of every cluster, expand placeholders,
 * validate against the schema, map to records ({@link ClusterReader}), then check what a schema cannot
 * (duplicates, conflicts, references; {@link FleetChecks} across clusters). Every problem of every file is
 * collected; nothing stops at the first.
 */
public final class FleetLoader {
    public static final String DEFAULTS = "clusters/defaults.yaml";

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

    /**
     * The checks a schema cannot make (an unknown repository, a reserved parameter, a bad schedule, an unknown pin),
     * run on a file the schema refused as far as it can be read, so that one run reports every problem. The cluster
     * stays out of the fleet; a problem at a place the schema already reported is left out, and a file too broken to
     * read further says nothing more.
     */
    private static List<Problem> semanticDespite(ClusterId id, String path, ObjectNode doc, Layers layers,
                                                 List<Problem> reported) {
        List<Problem> more = new ArrayList<>();
        try {
            ClusterReader.read(id, path, doc, new Report(layers, more));
        } catch (RuntimeException e) {
            return List.of(); // what the schema said is why it cannot be read
        }
        // a message that would quote a value the schema refused (a control character in a node's name) is left out
        // too: that value's own problem says what is wrong, on one line
        return more.stream().filter(p -> reported.stream().noneMatch(r -> r.file().equals(p.file())
                && (p.pointer().startsWith(r.pointer()) || r.pointer().startsWith(p.pointer()))))
                .filter(p -> io.pgrds.util.Texts.firstControl(p.toString()).isEmpty()).toList();
    }

    public static Result load(Snapshot snapshot) {
        List<Problem> problems = new ArrayList<>();
        YamlFile builtin = YamlFile.parse("(built-in defaults)", BUILTIN, true);
        FleetFiles fleetFiles = FleetFiles.read(snapshot, problems);

        Map<ClusterId, Mapped> mapped = new TreeMap<>();
        for (Map.Entry<ClusterId, YamlFile> e : fleetFiles.clusters().entrySet()) {
            ClusterId id = e.getKey();
            List<YamlFile> files = fleetFiles.layers(builtin, id);
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
                problems.addAll(semanticDespite(id, e.getValue().path(), doc, layers, problems));
                continue;
            }
            DesiredCluster cluster = ClusterReader.read(id, e.getValue().path(), doc, new Report(layers, problems));
            cluster = cluster.withFormerNodes(formerNodes(id, cluster, files, snapshot.history()
                    .getOrDefault(e.getValue().path(), List.of())));
            mapped.put(id, new Mapped(cluster, layers)); // still checked against the others, dropped below
        }

        problems.addAll(FleetChecks.check(mapped, fleetFiles.clusters().keySet()));
        List<ClusterId> bad = problems.stream()
                .flatMap(p -> clusterOf(p.file()).stream()).distinct().toList();
        List<DesiredCluster> good = mapped.values().stream().map(Mapped::cluster)
                .filter(c -> !bad.contains(c.id())).toList();
        return new Result(new DesiredFleet(snapshot.commit(), good, snapshot.warnings()), problems);
    }

    /** A cluster read from its file, with the layers that locate a problem found in it later. */
    record Mapped(DesiredCluster cluster, Layers layers) {
    }

    private static Optional<ClusterId> clusterOf(String file) {
        String[] parts = file.split("/");
        if (parts.length == 3 && parts[2].endsWith(".yaml")) {
            return Optional.of(new ClusterId(parts[1], parts[2].substring(0, parts[2].length() - 5)));
        }
        return Optional.empty();
    }

    /**
     * The nodes earlier versions of the cluster file listed that this one does not, each resolved with today's
     * defaults and team file. Versions that no longer parse are skipped: this is a search for servers that may
     * hold the cluster's data, not a validation.
     */
    private static List<NodeSpec> formerNodes(ClusterId id, DesiredCluster now, List<YamlFile> layers,
                                              List<byte[]> versions) {
        Map<String, NodeSpec> found = new LinkedHashMap<>();
        Set<String> current = new HashSet<>();
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
                DesiredCluster then = ClusterReader.read(id, now.file(), doc,
                        new Report(new Layers(files, now.file()), new ArrayList<>()));
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
