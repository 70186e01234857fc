package io.pgrds.bench;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.FleetPlan;
import io.pgrds.plan.Planner;
import io.pgrds.plan.ScenarioDesired;
import io.pgrds.plan.ScenarioObserved;
import io.pgrds.render.PlanRenderer;
import io.pgrds.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Plans N clusters (default 1,000) from recorded observations: the scenario fixtures, each observation
 * serialised once as the observer's JSON, cycled until N clusters. Measures, best of several rounds:
 * deserialising the N observations (the raw baseline: work any consumer of observations does anyway),
 * planning them, and rendering the fleet plan as text and JSON. Target: planning under 1 s.
 *
 * <p>Run with {@code bench/plan.sh [clusters] [rounds]}.
 */
public final class PlanBench {
    private PlanBench() {
    }

    public static void main(String[] args) throws Exception {
        int clusters = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path root = Path.of("src/test/resources/scenarios");
        List<DesiredCluster> scenarioDesired = new ArrayList<>();
        List<byte[]> scenarioObserved = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                DesiredCluster d = ScenarioDesired.load(dir);
                ObservedCluster o = ScenarioObserved.parse(Files.readString(dir.resolve("observed.json")), d);
                scenarioDesired.add(d);
                scenarioObserved.add(Json.mapper().writeValueAsBytes(o));
            }
        }
        List<DesiredCluster> desired = new ArrayList<>(clusters);
        List<byte[]> recorded = new ArrayList<>(clusters);
        for (int i = 0; i < clusters; i++) {
            DesiredCluster d = scenarioDesired.get(i % scenarioDesired.size());
            ClusterId id = new ClusterId("team" + (i / 4), "stage" + (i % 4));
            desired.add(new DesiredCluster(id, d.file(), d.transport(), d.postgres(), d.nodes(), d.primary(),
                    d.bootstrap(), d.backup(), d.service(), d.policy(), List.of()));
            recorded.add(scenarioObserved.get(i % scenarioObserved.size()));
        }

        long bestRead = Long.MAX_VALUE;
        long bestPlan = Long.MAX_VALUE;
        long bestRender = Long.MAX_VALUE;
        int actions = 0;
        int refused = 0;
        int bytes = 0;
        for (int round = 0; round < rounds + 3; round++) {
            long t0 = System.nanoTime();
            List<ObservedCluster> observed = new ArrayList<>(clusters);
            for (int i = 0; i < clusters; i++) {
                ObservedCluster o = Json.mapper().readValue(recorded.get(i), ObservedCluster.class);
                observed.add(new ObservedCluster(desired.get(i).id(), o.nodes()));
            }
            long t1 = System.nanoTime();
            List<ClusterPlan> plans = new ArrayList<>(clusters);
            for (int i = 0; i < clusters; i++) {
                plans.add(Planner.plan(desired.get(i), observed.get(i)));
            }
            long t2 = System.nanoTime();
            FleetPlan fleet = new FleetPlan(Optional.of("0000000"), plans);
            String text = PlanRenderer.text(fleet, false);
            String json = PlanRenderer.json(fleet);
            long t3 = System.nanoTime();
            if (round >= 3) { // the first rounds warm the JIT up
                bestRead = Math.min(bestRead, t1 - t0);
                bestPlan = Math.min(bestPlan, t2 - t1);
                bestRender = Math.min(bestRender, t3 - t2);
            }
            actions = plans.stream().mapToInt(p -> p.actions().size()).sum();
            refused = (int) plans.stream().filter(ClusterPlan::refused).count();
            bytes = text.length() + json.length();
        }
        System.out.printf("pgrds plan benchmark: %d clusters (%d scenarios cycled), %d actions, %d refused, "
                        + "%d chars of output, best of %d rounds%n", clusters, scenarioDesired.size(), actions,
                refused, bytes, rounds);
        System.out.printf("  deserialise observations (baseline): %8.1f ms  %7.1f µs/cluster%n",
                bestRead / 1e6, bestRead / 1e3 / clusters);
        System.out.printf("  plan:                                %8.1f ms  %7.1f µs/cluster  (%.2f× baseline)%n",
                bestPlan / 1e6, bestPlan / 1e3 / clusters, (double) bestPlan / bestRead);
        System.out.printf("  render text + JSON:                  %8.1f ms  %7.1f µs/cluster%n",
                bestRender / 1e6, bestRender / 1e3 / clusters);
        System.out.printf("  total plan + render: %.1f ms (target: under 1000 ms)%n", (bestPlan + bestRender) / 1e6);
    }
}
