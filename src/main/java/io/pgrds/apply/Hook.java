package io.pgrds.apply;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.NodeSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs the cluster's {@code service.hook} on the machine running pgrds, with the new primary in its environment:
 * PGRDS_CLUSTER, PGRDS_SERVICE, PGRDS_PRIMARY_NODE, PGRDS_PRIMARY_HOST, PGRDS_PRIMARY_PORT.
 */
final class Hook {
    private Hook() {
    }

    static void run(String command, ClusterId cluster, String service, NodeSpec primary) {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
        pb.environment().put("PGRDS_CLUSTER", cluster.toString());
        pb.environment().put("PGRDS_SERVICE", service);
        pb.environment().put("PGRDS_PRIMARY_NODE", primary.name());
        pb.environment().put("PGRDS_PRIMARY_HOST", primary.host());
        pb.environment().put("PGRDS_PRIMARY_PORT", Integer.toString(primary.port()));
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new ApplyException("service hook `" + command + "` did not finish within 5 minutes");
            }
            if (p.exitValue() != 0) {
                throw new ApplyException("service hook `" + command + "` failed (exit " + p.exitValue() + "): "
                        + NodeOps.tail(new String(out, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new ApplyException("cannot run service hook `" + command + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyException("interrupted while running the service hook");
        }
    }

    /**
     * Runs the cluster's fence hook for {@code node} where pgrds runs, without a shell, with the node in its
     * environment (PGRDS_CLUSTER, PGRDS_NODE, PGRDS_NODE_HOST, PGRDS_NODE_PORT, PGRDS_NODE_SSH_PORT,
     * PGRDS_DATA_DIRECTORY); exit status 0 means the node is fenced.
     */
    static void fence(String executable, ClusterId cluster, NodeSpec node, java.time.Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(executable).redirectErrorStream(true);
        pb.environment().put("PGRDS_CLUSTER", cluster.toString());
        pb.environment().put("PGRDS_NODE", node.name());
        pb.environment().put("PGRDS_NODE_HOST", node.host());
        pb.environment().put("PGRDS_NODE_PORT", Integer.toString(node.port()));
        pb.environment().put("PGRDS_NODE_SSH_PORT", Integer.toString(node.ssh().port()));
        pb.environment().put("PGRDS_DATA_DIRECTORY", node.dataDirectory());
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ApplyException("fence hook " + executable + " for " + node.name() + " did not finish within "
                        + timeout.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                throw new ApplyException("fence hook " + executable + " for " + node.name() + " failed (exit "
                        + p.exitValue() + "): " + NodeOps.tail(new String(out, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new ApplyException("cannot run fence hook " + executable + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyException("interrupted while running the fence hook");
        }
    }
}
