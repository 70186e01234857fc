package io.pgrds.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.pgrds.desired.Become;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.HbaRule;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.PostgresSettings;
import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.desired.ServiceSpec;
import io.pgrds.desired.SshSettings;
import io.pgrds.desired.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Test-only: a cluster file as a user writes it, turned into a {@link DesiredCluster} with the usual defaults.
 * Stands in for the real loader ({@code io.pgrds.desired.load.FleetLoader}) so the planner's fixtures read like
 * real cluster files; it validates nothing.
 */
public final class ScenarioDesired {
    public static final ClusterId ID = new ClusterId("test", "scenario");

    private ScenarioDesired() {
    }

    public static DesiredCluster parse(String yaml) {
        JsonNode doc;
        try {
            doc = new YAMLMapper().readTree(yaml);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
        JsonNode pg = doc.path("postgres");
        int version = pg.path("version").asInt(15);
        String binDir = pg.path("bin_dir").asText("/usr/lib/postgresql/" + version + "/bin");
        String dataDirectory = pg.path("data_directory").asText("/var/lib/pgrds/" + ID.slug() + "/data");
        int port = pg.path("port").asInt(5432);
        JsonNode ssh = doc.path("ssh");
        SshSettings sshSettings = new SshSettings(ssh.path("user").asText("root"), ssh.path("port").asInt(22),
                Optional.empty(), Optional.empty(),
                Become.valueOf(ssh.path("become").asText("runuser").toUpperCase(Locale.ROOT)));
        TreeMap<String, String> parameters = new TreeMap<>();
        pg.path("parameters").fields().forEachRemaining(e -> parameters.put(e.getKey(), e.getValue().asText()));
        List<HbaRule> hba = new ArrayList<>();
        pg.path("hba").forEach(r -> hba.add(new HbaRule(r.path("type").asText(), r.path("database").asText(),
                r.path("user").asText(), r.hasNonNull("address") ? Optional.of(r.path("address").asText())
                : Optional.empty(), r.path("method").asText())));
        List<NodeSpec> nodes = new ArrayList<>();
        doc.path("nodes").forEach(n -> nodes.add(new NodeSpec(n.path("name").asText(n.path("host").asText()),
                n.path("host").asText(), sshSettings, binDir, n.path("data_directory").asText(dataDirectory),
                n.path("port").asInt(port))));
        Bootstrap bootstrap = new Bootstrap.Initdb();
        JsonNode restore = doc.path("bootstrap").path("restore");
        if (!restore.isMissingNode()) {
            JsonNode t = restore.path("target");
            Bootstrap.RecoveryTarget target = Bootstrap.RecoveryTarget.latest();
            for (Bootstrap.RecoveryTarget.Kind k : Bootstrap.RecoveryTarget.Kind.values()) {
                if (t.has(k.name().toLowerCase(Locale.ROOT))) {
                    target = new Bootstrap.RecoveryTarget(k, t.path(k.name().toLowerCase(Locale.ROOT)).asText());
                }
            }
            bootstrap = new Bootstrap.Restore(ClusterId.parse(restore.path("from").asText()), target);
        }
        Optional<ServiceSpec> service = doc.hasNonNull("service")
                ? Optional.of(new ServiceSpec(doc.path("service").path("name").asText(),
                Optional.ofNullable(doc.path("service").path("hook").textValue())))
                : Optional.empty();
        return new DesiredCluster(ID, "clusters/test/scenario.yaml",
                Transport.valueOf(doc.path("transport").asText("ssh").toUpperCase(Locale.ROOT)),
                new PostgresSettings(version, parameters, hba), nodes,
                Optional.ofNullable(doc.path("primary").textValue()), bootstrap, Optional.empty(), service,
                ReconcilePolicy.valueOf(doc.path("policy").asText("safe").toUpperCase(Locale.ROOT)));
    }
}
