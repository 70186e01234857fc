package io.pgrds.observe;

import io.pgrds.desired.ClusterId;
import java.util.List;
import java.util.Optional;

/**
 * One observation of a cluster: its desired nodes plus every former member that the cluster's own
 * markers still list (so a node removed from the file is still seen and can be deactivated).
 */
public record ObservedCluster(ClusterId id, List<ObservedNode> nodes) {
    public ObservedCluster {
        nodes = nodes.stream().sorted(java.util.Comparator.comparing(ObservedNode::name)).toList();
    }

    public Optional<ObservedNode> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }
}
