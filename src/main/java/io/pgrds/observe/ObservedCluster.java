package io.pgrds.observe;

import io.pgrds.desired.ClusterId;
import java.util.List;
import java.util.Optional;

/**
 * One observation of a cluster: its desired nodes plus every former member that the cluster's own
 * markers still list (so a node removed from the file is still seen and can be deactivated), and, for a cluster
 * the file bootstraps by a restore while its nodes hold no data, the source's backups.
 */
public record ObservedCluster(ClusterId id, List<ObservedNode> nodes, Optional<RestoreSource> restoreSource) {
    public ObservedCluster {
        nodes = nodes.stream().sorted(java.util.Comparator.comparing(ObservedNode::name)).toList();
    }

    public ObservedCluster(ClusterId id, List<ObservedNode> nodes) {
        this(id, nodes, Optional.empty());
    }

    /**
     * The last failover as the newest markers of this cluster record it: of the nodes holding one, those at the
     * highest timeline (a failover raises it), the first by name. Empty when that marker records none.
     */
    public Optional<Marker.Failover> lastFailover() {
        return nodes.stream().filter(n -> n.marker().filter(m -> m.cluster().equals(id)).isPresent())
                .min(java.util.Comparator.comparing((ObservedNode n) -> n.timeline().orElse(Integer.MIN_VALUE),
                        java.util.Comparator.reverseOrder()).thenComparing(ObservedNode::name))
                .flatMap(n -> n.marker().orElseThrow().failover());
    }

    public Optional<ObservedNode> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }
}
