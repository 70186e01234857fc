package io.pgrds.testing;

import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import java.util.List;

/**
 * What integration tests share about a pgrds cluster on harness nodes: the cluster file that reaches them
 * (root over the harness sshd, runuser to postgres, each node's own data directory and port), and SQL on a node
 * pgrds manages, through the socket directory pgrds gives it.
 */
public final class HarnessCluster {
    private HarnessCluster() {
    }

    /**
     * The start of a cluster file for these nodes: ssh settings, {@code parameters} (a YAML flow mapping body such
     * as {@code max_connections: 50}), a password rule for the loopback network, and the nodes. Callers append
     * {@code primary:}, {@code service:} and the like.
     */
    public static String yaml(TestHosts hosts, List<TestNode> nodes, String parameters) {
        StringBuilder y = new StringBuilder();
        y.append("ssh: {user: root, port: ").append(nodes.get(0).sshPort()).append(", identityFile: ")
                .append(hosts.clientKey()).append(", knownHostsFile: ").append(hosts.knownHosts())
                .append(", become: runuser}\n");
        y.append("postgres:\n  parameters: {").append(parameters).append("}\n");
        y.append("  hba:\n    - {type: host, database: all, user: all, address: 127.0.0.0/8, method: scram-sha-256}\n");
        y.append("nodes:\n");
        for (TestNode n : nodes) {
            y.append("  - {host: ").append(n.address()).append(", name: ").append(n.name())
                    .append(", postgres: {dataDirectory: ").append(n.dataDirectory()).append(", port: ")
                    .append(n.pgPort()).append("}}\n");
        }
        return y.toString();
    }

    /** SQL as postgres through the node's pgrds socket directory; the unaligned, tuples-only output. */
    public static String sql(TestHosts hosts, TestNode n, String sql) {
        return hosts.run("runuser", "-u", "postgres", "--", n.binDir() + "/psql", "-X", "-A", "-t", "-q", "-h",
                n.dataDirectory() + ".pgrds/run", "-p", Integer.toString(n.pgPort()), "-U", "postgres", "-d",
                "postgres", "-c", sql).strip();
    }
}
