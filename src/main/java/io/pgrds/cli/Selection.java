package io.pgrds.cli;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import java.util.ArrayList;
import java.util.List;

/** Which clusters a command works on: all of them, or those named as team/stage (or a whole team). */
final class Selection {
    private Selection() {
    }

    static List<DesiredCluster> select(DesiredFleet fleet, List<String> names) {
        if (names.isEmpty()) {
            return fleet.clusters();
        }
        List<DesiredCluster> out = new ArrayList<>();
        for (String name : names) {
            ClusterId id = ClusterId.parse(name);
            List<DesiredCluster> matched = fleet.clusters().stream()
                    .filter(c -> id != null ? c.id().equals(id) : c.id().team().equals(name)).toList();
            if (matched.isEmpty()) {
                throw new PgrdsException(ErrorCode.UNKNOWN_CLUSTER, "no cluster \"" + name + "\" at this commit. "
                        + "Known clusters: " + String.join(", ", fleet.clusters().stream()
                        .map(c -> c.id().toString()).toList()) + ". Name a cluster as team/stage, or a whole team.");
            }
            matched.stream().filter(c -> !out.contains(c)).forEach(out::add);
        }
        return out;
    }
}
