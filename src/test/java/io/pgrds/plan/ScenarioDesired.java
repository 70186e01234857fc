package io.pgrds.plan;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.source.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Test-only: a fixture's cluster file, loaded by the real {@link FleetLoader} as
 * {@code clusters/test/scenario.yaml} (built-in defaults below it), so the planner's fixtures are real cluster
 * files that pass validation (a fixture that does not is an error, listing the loader's problems).
 */
public final class ScenarioDesired {
    public static final ClusterId ID = new ClusterId("test", "scenario");

    private ScenarioDesired() {
    }

    public static DesiredCluster parse(String yaml) {
        return parse(yaml, Map.of());
    }

    /**
     * Loads a scenario folder: its {@code desired.yaml}, plus any other cluster files under {@code fleet/} (as
     * {@code clusters/<team>/<stage>.yaml}), e.g. the source cluster a restore names.
     */
    public static DesiredCluster load(Path scenario) throws IOException {
        return fleet(scenario).cluster(ID).orElseThrow();
    }

    /** The whole fleet of a scenario folder: the scenario's cluster and the clusters under {@code fleet/}. */
    public static io.pgrds.desired.DesiredFleet fleet(Path scenario) throws IOException {
        Map<String, byte[]> others = new TreeMap<>();
        Path fleet = scenario.resolve("fleet");
        if (Files.isDirectory(fleet)) {
            try (Stream<Path> files = Files.walk(fleet)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    others.put("clusters/" + fleet.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                }
            }
        }
        return parseFleet(Files.readString(scenario.resolve("desired.yaml")), others);
    }

    static DesiredCluster parse(String yaml, Map<String, byte[]> otherFiles) {
        return parseFleet(yaml, otherFiles).cluster(ID).orElseThrow();
    }

    private static io.pgrds.desired.DesiredFleet parseFleet(String yaml, Map<String, byte[]> otherFiles) {
        TreeMap<String, byte[]> files = new TreeMap<>(otherFiles);
        files.put("clusters/test/scenario.yaml", yaml.getBytes(StandardCharsets.UTF_8));
        Snapshot snapshot = new Snapshot(Optional.empty(), "scenario", files, List.of());
        FleetLoader.Result r = FleetLoader.load(snapshot);
        if (!r.ok()) {
            throw new IllegalArgumentException("the fixture is not a valid cluster file:\n"
                    + FleetLoader.describe(r.problems()));
        }
        return r.fleet();
    }
}
