package io.pgrds.desired;

import java.util.List;
import java.util.Optional;

/**
 * One cluster as the fleet repository wants it: the merged, expanded and validated document of
 * {@code defaults.yaml ← <team>/team.yaml ← <team>/<stage>.yaml}.
 *
 * @param file    the cluster file, relative to the repository root
 * @param primary the pinned primary (a node name), if any
 */
public record DesiredCluster(ClusterId id, String file, Transport transport, PostgresSettings postgres,
                             List<NodeSpec> nodes, Optional<String> primary, Bootstrap bootstrap,
                             Optional<BackupSpec> backup, Optional<ServiceSpec> service, ReconcilePolicy policy) {
    public DesiredCluster {
        nodes = List.copyOf(nodes);
    }

    public Optional<NodeSpec> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }
}
