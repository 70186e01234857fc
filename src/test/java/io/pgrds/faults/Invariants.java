package io.pgrds.faults;

import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The invariants pgrds promises, checked after a fault scenario, each as a {@link Check} that carries its figures
 * and says exactly what was seen. {@link #assertHold} fails once, listing every check that does not hold with its
 * figures (and the ones that do), so a failed round still reports all of them.
 *
 * <ul>
 *   <li><b>I1</b> never two nodes accepting writes at once: the {@link WritableMonitor}'s milliseconds with two or
 *   more writable nodes, and, independently, the {@link AckWriter}'s acknowledgements interleaving between two
 *   nodes ({@link #i1}).</li>
 *   <li><b>I2</b> no acknowledged commit lost: every id the writer saw acknowledged is on the final primary
 *   ({@link #i2}).</li>
 *   <li><b>I3</b> convergence: {@code pgrds apply --auto-approve} with the file unchanged, at most twice, then
 *   {@code pgrds plan --detailed-exitcode} exits 0 and every node of the file runs, one is primary, every other
 *   streams from it ({@link #converge}).</li>
 *   <li><b>I5</b> an apply that failed or lost a race changed nothing: {@link #snapshot} before, {@link #unchanged}
 *   after (markers byte for byte, roles, running).</li>
 * </ul>
 */
public final class Invariants {
    private Invariants() {
    }

    /** One checked property with its figures. */
    public interface Check {
        /** "I1", "I2", … or a scenario's own expectation. */
        String name();

        boolean holds();

        /** What was seen, with the figures; says why when it does not hold. */
        String describe();
    }

    /** A scenario's own expectation: {@code name} holds when {@code ok}; {@code detail} says what was seen. */
    public static Check expect(String name, boolean ok, Supplier<String> detail) {
        String d = detail.get();
        return new Check() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean holds() {
                return ok;
            }

            @Override
            public String describe() {
                return d;
            }
        };
    }

    /** Fails, listing every check that does not hold (with figures) and then those that do; else returns. */
    public static void assertHold(List<? extends Check> checks) {
        List<Check> failed = checks.stream().filter(c -> !c.holds()).collect(Collectors.toList());
        if (failed.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        for (Check c : failed) {
            b.append(c.name()).append(" violated: ").append(c.describe()).append('\n');
        }
        for (Check c : checks) {
            if (c.holds()) {
                b.append("(").append(c.name()).append(" holds: ").append(c.describe()).append(")\n");
            }
        }
        throw new AssertionError(b.toString().strip());
    }

    // ---- I1 ----

    /** I1's figures: the monitor's overlaps of writable nodes and the writer's interleaved acknowledgements. */
    public record I1(long twoWritableMs, List<WritableMonitor.Interval> intervals,
                     List<AckWriter.Interleaving> interleavings, Map<String, Integer> acksByNode) implements Check {
        @Override
        public String name() {
            return "I1";
        }

        @Override
        public boolean holds() {
            return intervals.isEmpty() && interleavings.isEmpty();
        }

        @Override
        public String describe() {
            String monitor = intervals.isEmpty() ? "never two writable nodes (sampled every "
                    + WritableMonitor.PERIOD.toMillis() + " ms)" : "two or more nodes accepted writes for "
                    + twoWritableMs + " ms in " + intervals.size() + " interval(s): " + intervals.stream()
                    .limit(5).map(WritableMonitor.Interval::toString).collect(Collectors.joining(", "));
            String writer = interleavings.isEmpty() ? "the writer's acknowledgements never went back to a node "
                    + "after another one acknowledged " + acksByNode : "the writer was acknowledged alternately by "
                    + interleavings.stream().map(i -> i.first() + " and " + i.second() + " (both within "
                    + i.millis() + " ms)").collect(Collectors.joining(", ")) + "; acknowledgements per node "
                    + acksByNode;
            return monitor + "; " + writer;
        }
    }

    /**
     * I1 from {@code fromNanos} on: the monitor's overlaps that last past it. For a scenario whose fault itself is a
     * second writable node (a stale old primary started by the test), pgrds is held to ending it, not to preventing
     * the start.
     */
    public static I1 i1After(Round r, long fromNanos) {
        r.freeze();
        Map<String, Integer> by = new LinkedHashMap<>();
        r.writer().spans().forEach(s -> by.put(s.node(), s.count()));
        List<WritableMonitor.Interval> after = r.monitor().twoWritableIntervals().stream()
                .filter(i -> i.toNanos() > fromNanos).toList();
        I1 i1 = new I1(after.stream().mapToLong(i -> (Math.min(i.toNanos(), Long.MAX_VALUE) - Math.max(i.fromNanos(),
                fromNanos)) / 1_000_000).sum(), after, List.of(), by);
        r.figures().twoWritableMs = i1.twoWritableMs();
        return i1;
    }

    /** I1 over the round so far; stops the round's writer and monitor first (their figures end there). */
    public static I1 i1(Round r) {
        r.freeze();
        Map<String, Integer> by = new LinkedHashMap<>();
        r.writer().spans().forEach(s -> by.put(s.node(), s.count()));
        I1 i1 = new I1(r.monitor().twoWritableMillis(), r.monitor().twoWritableIntervals(),
                r.writer().interleavings(), by);
        r.figures().twoWritableMs = i1.twoWritableMs();
        return i1;
    }

    // ---- I2 ----

    /**
     * I2's figures: of {@code acked} acknowledged commits, {@code lost} are missing on {@code checkedOn} (the
     * first few in {@code firstLost}); {@code problem} when no single primary could be checked.
     */
    public record I2(int acked, long lost, List<Long> firstLost, Optional<String> checkedOn,
                     Optional<String> problem) implements Check {
        @Override
        public String name() {
            return "I2";
        }

        @Override
        public boolean holds() {
            return problem.isEmpty() && lost == 0 && acked > 0;
        }

        @Override
        public String describe() {
            if (problem.isPresent()) {
                return acked + " acknowledged commits could not be checked: " + problem.get();
            }
            if (acked == 0) {
                return "the writer got no commit acknowledged at all, so nothing was checked";
            }
            return lost == 0 ? "all " + acked + " acknowledged commits are on the final primary " + checkedOn.get()
                    : lost + " of " + acked + " acknowledged commits are missing on the final primary "
                    + checkedOn.get() + "; the first: " + firstLost;
        }
    }

    /** I2 now: stops the round's writer, finds the single primary and looks for every acknowledged id on it. */
    public static I2 i2(Round r) {
        return i2(r, ack -> true);
    }

    /**
     * I2 over the acknowledgements {@code counted} selects: those a scenario can hold pgrds to (not, say, what a
     * second primary that the test itself started acknowledged before pgrds could see it).
     */
    public static I2 i2(Round r, java.util.function.Predicate<AckWriter.Ack> counted) {
        r.freeze();
        long[] acked = r.writer().acks().stream().filter(counted).mapToLong(AckWriter.Ack::id).sorted().toArray();
        r.figures().acked = acked.length;
        List<TestNode> primaries = r.cluster().writableNodes();
        // A node that answers nothing within the question's timeouts counts as not writable. On a loaded machine
        // one question can time out on the converged primary, so "none" is asked again for up to 10 s; two
        // writable nodes are never asked again.
        for (int asked = 1; primaries.isEmpty() && asked < 10; asked++) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            primaries = r.cluster().writableNodes();
        }
        if (primaries.size() != 1) {
            return new I2(acked.length, 0, List.of(), Optional.empty(), Optional.of(primaries.isEmpty()
                    ? "no node accepts writes (asked for 10 s; now: " + r.cluster().writableAnswers() + ")"
                    : "several nodes accept writes: " + primaries));
        }
        TestNode p = primaries.get(0);
        long[] present;
        try {
            present = r.cluster().query(p, "select id from writes order by id").stream()
                    .mapToLong(row -> Long.parseLong(row.get(0))).toArray();
        } catch (RuntimeException e) {
            return new I2(acked.length, 0, List.of(), Optional.of(p.name()), Optional.of("reading writes on "
                    + p.name() + " failed: " + e.getMessage()));
        }
        List<Long> missing = new ArrayList<>();
        long lost = 0;
        for (long id : acked) {
            if (Arrays.binarySearch(present, id) < 0) {
                lost++;
                if (missing.size() < 10) {
                    missing.add(id);
                }
            }
        }
        r.figures().lost = java.util.OptionalLong.of(lost);
        return new I2(acked.length, lost, missing, Optional.of(p.name()), Optional.empty());
    }

    // ---- I3 ----

    /** I3's figures: whether it converged, how long that took, and each apply and plan on the way. */
    public record I3(boolean converged, double seconds, List<String> steps) implements Check {
        @Override
        public String name() {
            return "I3";
        }

        @Override
        public boolean holds() {
            return converged;
        }

        @Override
        public String describe() {
            return (converged ? String.format(Locale.ROOT, "converged in %.1f s: ", seconds)
                    : String.format(Locale.ROOT, "did not converge (%.1f s): ", seconds)) + String.join("; ", steps);
        }
    }

    /**
     * I3: {@code pgrds apply --auto-approve} with the file as it is, then {@code pgrds plan --detailed-exitcode};
     * a second apply when the plan still has changes; converged when the plan exits 0 and every node of the file
     * runs, exactly one is primary and every other streams from it.
     */
    public static I3 converge(Round r) {
        long t0 = System.nanoTime();
        List<String> steps = new ArrayList<>();
        boolean converged = false;
        String previous = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            Cli.Run apply = r.pgrds("apply", "--auto-approve");
            String a = said(apply);
            steps.add("apply #" + attempt + " exit " + apply.exit() + (a.equals(previous) ? " (the same)" : a));
            previous = a;
            Cli.Run plan = r.pgrds("plan", "--detailed-exitcode");
            if (plan.exit() == 0) {
                Optional<String> unhealthy = r.cluster().awaitHealthy(java.time.Duration.ofSeconds(20));
                if (unhealthy.isEmpty()) {
                    converged = true;
                    steps.add("plan: no changes; " + r.cluster().healthSummary());
                } else {
                    steps.add("plan says no changes, but " + unhealthy.get());
                }
                break;
            }
            String p = said(plan);
            steps.add("plan after apply #" + attempt + " exit " + plan.exit() + (p.equals(previous) ? " (the same)" : p));
            previous = p;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (converged) {
            r.figures().convergeSeconds = OptionalDouble.of(seconds);
        }
        return new I3(converged, seconds, steps);
    }

    /** The lines of a run that say what it decided or why it failed: its decision, refusals, failed actions, errors. */
    static String said(Cli.Run run) {
        List<String> lines = new ArrayList<>();
        for (String l : (run.out() + "\n" + run.err()).lines().map(String::strip).toList()) {
            if (l.startsWith("decision:") || l.startsWith("! refused") || l.startsWith("error") || l.contains(": ✗ ")) {
                lines.add(l);
            }
        }
        return lines.isEmpty() ? "" : ": " + String.join(" | ", lines);
    }

    // ---- I5 ----

    /** Every node's {@link NodeSnapshot}, by name. */
    public record Snapshot(Map<String, NodeSnapshot> nodes) {
        @Override
        public String toString() {
            return nodes.values().stream().map(NodeSnapshot::toString).collect(Collectors.joining("; "));
        }
    }

    /** I5's figures: what an apply that failed or lost changed. */
    public record I5(String what, List<String> differences) implements Check {
        @Override
        public String name() {
            return "I5";
        }

        @Override
        public boolean holds() {
            return differences.isEmpty();
        }

        @Override
        public String describe() {
            return differences.isEmpty() ? what + " changed no marker, role or server"
                    : what + " changed: " + String.join("; ", differences);
        }
    }

    /** The markers, roles and servers of every node of the cluster now. */
    public static Snapshot snapshot(Round r) {
        Map<String, NodeSnapshot> m = new LinkedHashMap<>();
        for (TestNode n : r.cluster().nodes()) {
            m.put(n.name(), NodeSnapshot.of(r.cluster().hosts(), n));
        }
        return new Snapshot(m);
    }

    /** I5: nothing in {@code after} differs from {@code before}; {@code what} names the apply (for the message). */
    public static I5 unchanged(String what, Snapshot before, Snapshot after) {
        List<String> diffs = new ArrayList<>();
        before.nodes().forEach((name, b) -> {
            NodeSnapshot a = after.nodes().get(name);
            if (a == null) {
                diffs.add(name + ": no longer observed");
            } else {
                diffs.addAll(b.differences(a));
            }
        });
        return new I5(what, diffs);
    }
}
