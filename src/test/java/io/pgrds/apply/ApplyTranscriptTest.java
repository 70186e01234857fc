package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.plan.Action;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.Confirmations;
import io.pgrds.plan.Planner;
import io.pgrds.plan.ScenarioDesired;
import io.pgrds.plan.ScenarioObserved;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.ShellOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins down what apply does, command by command, for every planner scenario: the scenario's plan applied as a dry
 * run against {@link RecordingShell}s that answer the reads from the scenario's {@code observed.json}. The
 * transcript — each action, every read, every command and SQL statement it would run (secrets redacted), its
 * progress and notices — is compared with {@code apply.txt} beside the scenario. Run with
 * {@code -Dpgrds.scenarios.update=true} to write the actual transcripts over apply.txt, then review the diff.
 */
class ApplyTranscriptTest {
    static final Path ROOT = Path.of("src/test/resources/scenarios");

    static Stream<String> scenarios() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theDryRunOfEachScenarioIsExactlyTheRecordedTranscript(String name) throws IOException {
        Path dir = ROOT.resolve(name);
        String actual = transcript(dir);
        Path expected = dir.resolve("apply.txt");
        if (Boolean.getBoolean("pgrds.scenarios.update")) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.exists(expected) ? Files.readString(expected) : "(no apply.txt)", actual, name);
    }

    static String transcript(Path dir) throws IOException {
        DesiredFleet fleet = ScenarioDesired.fleet(dir);
        DesiredCluster desired = fleet.cluster(ScenarioDesired.ID).orElseThrow();
        ObservedCluster observed = ScenarioObserved.parse(Files.readString(dir.resolve("observed.json")), desired);
        ClusterPlan plan = Planner.plan(desired, observed, confirmations(dir));
        if (plan.refused()) {
            return "refused (" + plan.refusals().stream().map(r -> r.code()).collect(Collectors.joining(", "))
                    + "): nothing is applied\n";
        }
        if (!plan.hasChanges()) {
            return "no changes: nothing is applied\n";
        }
        List<String> lines = new ArrayList<>();
        Map<String, ObservedNode> byName = observed.nodes().stream().collect(Collectors.toMap(ObservedNode::name,
                n -> n));
        // reads of other clusters' nodes (a restore's source, read in the background) are answered, not recorded:
        // their place among the lines would depend on timing
        Sessions sessions = new Sessions(ShellOptions.defaults(), (transport, spec, options) -> byName.containsKey(
                spec.name()) ? new RecordingShell(byName.get(spec.name()), lines::add) : new RecordingShell(
                ObservedNode.unreachable(spec.name(), spec.host(), "another cluster's node"), line -> { }));
        Executor executor = new Executor(sessions, new Transcript(lines), new Executor.Options(true,
                Duration.ofMinutes(5), Duration.ofMinutes(2), "operator", "workstation"), fleet::cluster,
                new Recheck() {
                    @Override
                    public ObservedCluster observe(DesiredCluster d) {
                        throw new AssertionError("a dry run does not observe again");
                    }

                    @Override
                    public ClusterPlan plan(DesiredCluster d, ObservedCluster o) {
                        throw new AssertionError("a dry run does not plan again");
                    }
                });
        try {
            ApplyOutcome outcome = executor.apply(desired, observed, plan, Optional.of("0000000"));
            lines.add(outcome.ok() ? "done" : "failed: " + outcome.message());
        } catch (PgrdsException e) {
            lines.add("failed [" + e.code() + "]: " + e.getMessage());
        }
        return String.join("\n", lines) + "\n";
    }

    static Confirmations confirmations(Path dir) throws IOException {
        Path fenced = dir.resolve("fenced.txt");
        if (!Files.exists(fenced)) {
            return Confirmations.NONE;
        }
        return new Confirmations(Set.copyOf(Files.readAllLines(fenced).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()));
    }

    /** What apply reports, one line each, in order. */
    private record Transcript(List<String> lines) implements ApplyListener {
        @Override
        public void actionStarted(ClusterId cluster, Action action) {
            lines.add("== " + action.kind().symbol().text() + " " + action.describe());
        }

        @Override
        public void actionFailed(ClusterId cluster, Action action, Duration took, String why) {
            lines.add("✗ " + action.describe() + ": " + why);
        }

        @Override
        public void progress(ClusterId cluster, String node, String message) {
            lines.add("[" + node + "] (" + message + ")");
        }

        @Override
        public void command(ClusterId cluster, String node, String command) {
            lines.add("[" + node + "] " + command.replace("\n", "\n    "));
        }

        @Override
        public void notice(ClusterId cluster, String message) {
            lines.add("notice: " + message.strip().replace("\n", "\n    "));
        }
    }

}
