package io.pgrds.desired;

import io.pgrds.transport.target.Transport;
import java.util.List;
import java.util.Optional;

/**
 * One cluster as the fleet repository wants it: the merged, expanded and validated document of
 * {@code defaults.yaml ← <team>/team.yaml ← <team>/<stage>.yaml}.
 *
 * @param file    the cluster file, relative to the repository root
 * @param primary the pinned primary (a node name), if any
 * @param formerNodes nodes that earlier versions of the cluster file listed and this one does not: candidates
 *                    the observer checks for the cluster's data, so replacing every node in one commit cannot
 *                    hide the servers that hold it
 * @param fence       {@code fence.hook}: the absolute path of an executable on the machine running pgrds that fences
 *                    a node (powers it off, cuts it off) before a standby is promoted while the former primary
 *                    cannot be seen stopped; exit status 0 means it is fenced. Run by {@code apply.Hook.fence}.
 * @param durability  when a commit is acknowledged: async, or once a quorum of standbys has it
 * @param failover    {@code reconcile.failover}: manual, or automatic by the watching daemon, with its timing
 */
public record DesiredCluster(ClusterId id, String file, Transport transport, PostgresSettings postgres,
                             List<NodeSpec> nodes, Optional<String> primary, Bootstrap bootstrap,
                             Optional<BackupSpec> backup, Optional<ServiceSpec> service, ReconcilePolicy policy,
                             List<NodeSpec> formerNodes, Optional<String> fence, Durability durability,
                             FailoverSpec failover) {
    public DesiredCluster {
        nodes = List.copyOf(nodes);
        formerNodes = List.copyOf(formerNodes);
    }

    /** Async durability and manual failover. */
    public DesiredCluster(ClusterId id, String file, Transport transport, PostgresSettings postgres,
                          List<NodeSpec> nodes, Optional<String> primary, Bootstrap bootstrap,
                          Optional<BackupSpec> backup, Optional<ServiceSpec> service, ReconcilePolicy policy,
                          List<NodeSpec> formerNodes, Optional<String> fence) {
        this(id, file, transport, postgres, nodes, primary, bootstrap, backup, service, policy, formerNodes, fence,
                Durability.ASYNC, FailoverSpec.MANUAL);
    }

    /** A cluster without a fence hook. */
    public DesiredCluster(ClusterId id, String file, Transport transport, PostgresSettings postgres,
                          List<NodeSpec> nodes, Optional<String> primary, Bootstrap bootstrap,
                          Optional<BackupSpec> backup, Optional<ServiceSpec> service, ReconcilePolicy policy,
                          List<NodeSpec> formerNodes) {
        this(id, file, transport, postgres, nodes, primary, bootstrap, backup, service, policy, formerNodes,
                Optional.empty());
    }

    /** The node a new cluster's data is created on (initdb or restore): the pinned one, else the first in the file. */
    public String bootstrapNode() {
        return primary.orElse(nodes.get(0).name());
    }

    /** The same cluster with other former nodes (the loader finds them after reading the file). */
    public DesiredCluster withFormerNodes(List<NodeSpec> former) {
        return new DesiredCluster(id, file, transport, postgres, nodes, primary, bootstrap, backup, service, policy,
                former, fence, durability, failover);
    }

    public Optional<NodeSpec> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }
}
