package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.render.PlanRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks {@code src/test/resources/scenarios/<name>/}: each folder is one scenario (desired.yaml, observed.json,
 * plan.txt — the exact text plan). Run with {@code -Dpgrds.scenarios.update=true} to write the actual plans over
 * plan.txt, then review the diff.
 */
class ScenarioTest {
    static final Path ROOT = Path.of("src/test/resources/scenarios");

    static Stream<String> scenarios() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    static ClusterPlan plan(String name) throws IOException {
        DesiredCluster desired = ScenarioDesired.load(ROOT.resolve(name));
        ObservedCluster observed = ScenarioObserved.parse(
                Files.readString(ROOT.resolve(name).resolve("observed.json")), desired);
        return Planner.plan(desired, observed, confirmations(ROOT.resolve(name)));
    }

    /** {@code fenced.txt}: the nodes the operator confirms are fenced ({@code --fenced}), one per line. */
    static Confirmations confirmations(Path dir) throws IOException {
        Path fenced = dir.resolve("fenced.txt");
        if (!Files.exists(fenced)) {
            return Confirmations.NONE;
        }
        return new Confirmations(java.util.Set.copyOf(Files.readAllLines(fenced).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void planOfEachScenarioIsExactlyTheExpectedText(String name) throws IOException {
        String actual = PlanRenderer.text(new FleetPlan(Optional.of("0000000"), List.of(plan(name))), false);
        Path expected = ROOT.resolve(name).resolve("plan.txt");
        if (Boolean.getBoolean("pgrds.scenarios.update")) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.exists(expected) ? Files.readString(expected) : "(no plan.txt)", actual, name);
    }
}
