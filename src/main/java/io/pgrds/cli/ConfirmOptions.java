package io.pgrds.cli;

import io.pgrds.desired.ClusterId;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.plan.Confirmations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/** What the operator confirms on the command line that pgrds cannot observe ({@code plan} and {@code apply}). */
final class ConfirmOptions {
    @Option(names = "--fenced", paramLabel = "NODE", description = {"Confirm that NODE, a former primary pgrds "
            + "cannot reach or see stopped, is fenced: powered off, or cut off from clients and standbys. A standby "
            + "is then promoted in its place, unless a standby heard from NODE in the last 10 s (then it is not "
            + "fenced). Check before: `ssh NODE true` and `pg_isready -h NODE` fail from another machine. "
            + "Repeatable."})
    private List<String> fenced = new ArrayList<>();

    Confirmations confirmations() {
        return new Confirmations(Set.copyOf(fenced));
    }

    boolean any() {
        return !fenced.isEmpty();
    }

    /** Every --fenced node must be one pgrds knows in the observed clusters: a typo must not pass silently. */
    void check(Map<ClusterId, ObservedCluster> observed) {
        Set<String> known = new TreeSet<>();
        for (ObservedCluster c : observed.values()) {
            c.nodes().forEach(n -> {
                known.add(n.name());
                known.add(n.host());
                n.marker().ifPresent(m -> m.members().forEach(mem -> {
                    known.add(mem.name());
                    known.add(mem.host());
                }));
                n.upstream().ifPresent(known::add);
            });
        }
        for (String node : fenced) {
            if (!known.contains(node)) {
                throw new PgrdsException(ErrorCode.USAGE, "--fenced " + node + " names no node of the selected "
                        + "clusters (known: " + String.join(", ", known) + "). Name the former primary as the "
                        + "plan's refusal names it.");
            }
        }
    }
}
