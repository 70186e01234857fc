package io.pgrds.cli;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import java.util.List;
import picocli.CommandLine.Parameters;

/** A command about one cluster, named as team/stage, that reaches its nodes. */
abstract class ClusterCommand extends NodesCommand {
    @Parameters(paramLabel = "CLUSTER", description = "team/stage")
    String cluster;

    /** The cluster named, as the files at the chosen ref describe it. */
    DesiredCluster desired() {
        if (ClusterId.parse(cluster) == null) {
            throw new PgrdsException(ErrorCode.USAGE, "\"" + cluster + "\" names no single cluster: name it as "
                    + "team/stage, for example orderdata/integration.");
        }
        return Selection.select(FleetReader.fleet(top), List.of(cluster)).get(0);
    }
}
