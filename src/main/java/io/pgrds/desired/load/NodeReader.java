package io.pgrds.desired.load;

import static io.pgrds.desired.load.ClusterReader.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.transport.target.Become;
import io.pgrds.desired.NodeSpec;
import io.pgrds.transport.target.SshSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code nodes:} of a cluster, each with the cluster's SSH and PostgreSQL settings where it sets none, and the
 * pinned {@code primary:}. Two entries for one node, or two nodes of one host sharing a data directory or a port,
 * are reported.
 */
final class NodeReader {
    private NodeReader() {
    }

    static List<NodeSpec> nodes(JsonNode doc, Report report) {
        JsonNode pg = doc.path("postgres");
        SshSettings clusterSsh = ssh(doc.path("ssh"), null);
        List<NodeSpec> nodes = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> dataDirs = new HashMap<>();
        Map<String, Integer> ports = new HashMap<>();
        JsonNode nodeList = doc.path("nodes");
        if (nodeList.isMissingNode() || nodeList.size() == 0) {
            report.add("/nodes", ProblemCode.NO_NODES,
                    "the cluster has no nodes; list at least one under `nodes:` (each with a `host:`).");
        }
        for (int i = 0; i < nodeList.size(); i++) {
            JsonNode n = nodeList.get(i);
            String host = n.path("host").asText();
            String name = text(n, "name").orElse(host);
            JsonNode np = n.path("postgres");
            NodeSpec spec = new NodeSpec(name, host, ssh(n.path("ssh"), clusterSsh),
                    text(np, "binDir").orElse(pg.path("binDir").asText()),
                    text(np, "dataDirectory").orElse(pg.path("dataDirectory").asText()),
                    np.has("port") ? np.path("port").asInt() : pg.path("port").asInt());
            Integer first = names.putIfAbsent(name, i);
            if (first != null) {
                report.add("/nodes/" + i, ProblemCode.DUPLICATE_NODE, "node \"" + name
                        + "\" is listed twice (also at /nodes/" + first + "); remove one, or give each a distinct "
                        + "`name:`.");
                continue;
            }
            sharedOnHost(dataDirs, i, spec, ProblemCode.DATA_DIRECTORY_CONFLICT, "data directory",
                    spec.dataDirectory(), "dataDirectory", report);
            sharedOnHost(ports, i, spec, ProblemCode.PORT_CONFLICT, "port", Integer.toString(spec.port()), "port",
                    report);
            nodes.add(spec);
        }
        return nodes;
    }

    /**
     * Records that node {@code i} uses {@code value} (a data directory, a port) on its host; a node before it that
     * does too is a conflict, reported at node {@code i} with the {@code postgres:} key that settles it.
     */
    private static void sharedOnHost(Map<String, Integer> seen, int i, NodeSpec spec, ProblemCode code, String what,
                                     String value, String key, Report report) {
        Integer first = seen.putIfAbsent(spec.host() + "\0" + value, i);
        if (first != null) {
            report.add("/nodes/" + i, code, "node \"" + spec.name() + "\" uses " + what + " " + value + " on "
                    + spec.host() + ", as /nodes/" + first + " does; give one of them its own `postgres: {" + key
                    + ": …}`.");
        }
    }

    /** The pinned primary's node name (the pin may name a node or its host); empty when none is pinned. */
    static Optional<String> primary(JsonNode doc, List<NodeSpec> nodes, Report report) {
        Optional<String> primary = text(doc, "primary");
        if (primary.isEmpty()) {
            return primary;
        }
        String pin = primary.get();
        Optional<NodeSpec> pinned = nodes.stream().filter(n -> n.name().equals(pin)).findFirst()
                .or(() -> nodes.stream().filter(n -> n.host().equals(pin)).findFirst());
        if (pinned.isEmpty()) {
            report.add("/primary", ProblemCode.PRIMARY_NOT_A_NODE, "the pinned primary \"" + pin
                    + "\" is not one of the cluster's nodes (" + String.join(", ",
                    nodes.stream().map(NodeSpec::name).toList()) + "); pin one of them or remove `primary:`.");
            return primary;
        }
        return Optional.of(pinned.get().name());
    }

    /**
     * A node's SSH settings: what it sets, else {@code base}'s (the cluster's). What neither sets stays unset, for
     * the SSH configuration of the machine running pgrds and then pgrds's defaults ({@link SshSettings}).
     */
    private static SshSettings ssh(JsonNode n, SshSettings base) {
        Optional<String> user = text(n, "user").or(() -> base == null ? Optional.empty() : base.configuredUser());
        OptionalInt port = n.has("port") && !n.path("port").isNull() ? OptionalInt.of(n.path("port").asInt())
                : base == null ? OptionalInt.empty() : base.configuredPort();
        Optional<String> identity = text(n, "identityFile").or(() -> base == null ? Optional.empty()
                : base.identityFile());
        Optional<String> knownHosts = text(n, "knownHostsFile").or(() -> base == null ? Optional.empty()
                : base.knownHostsFile());
        Become become = text(n, "become").map(v -> Become.valueOf(v.toUpperCase(Locale.ROOT)))
                .orElse(base == null ? Become.SUDO : base.become());
        Optional<List<String>> jump = jump(n.get("jump")).or(() -> base == null ? Optional.empty() : base.jump());
        Optional<String> configFile = text(n, "configFile").or(() -> base == null ? Optional.empty()
                : base.configFile());
        return new SshSettings(user, port, identity, knownHosts, become, jump, configFile);
    }

    /** {@code jump: host}, {@code jump: [a, b]} (outermost first), {@code jump: []} for none; absent is empty. */
    private static Optional<List<String>> jump(JsonNode v) {
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (v.isArray()) {
            List<String> hops = new ArrayList<>();
            v.forEach(h -> hops.add(h.asText()));
            return Optional.of(hops);
        }
        return Optional.of(List.of(v.asText()));
    }
}
