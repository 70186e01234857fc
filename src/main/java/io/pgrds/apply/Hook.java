package io.pgrds.apply;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.NodeSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the cluster's hooks on the machine running pgrds. A hook is the absolute path of an executable (validated by
 * the loader); it runs without a shell, as an argv of one element, so nothing in the cluster file is ever read as a
 * command. What it needs comes in its environment:
 *
 * <ul>
 *   <li>{@code service.hook} ({@link #run}), whenever the primary changes: PGRDS_CLUSTER, PGRDS_SERVICE,
 *       PGRDS_PRIMARY_NODE, PGRDS_PRIMARY_HOST, PGRDS_PRIMARY_PORT;</li>
 *   <li>{@code fence.hook} ({@link #fence}), before a standby is promoted while the former primary cannot be seen
 *       stopped: PGRDS_CLUSTER, PGRDS_NODE, PGRDS_NODE_HOST, PGRDS_NODE_PORT (PostgreSQL's), PGRDS_NODE_SSH_PORT,
 *       PGRDS_DATA_DIRECTORY. Exit status 0 means the node is fenced.</li>
 * </ul>
 *
 * A hook that exits non-zero, or does not finish in time (it is killed then, with every process it started), is an
 * {@link ApplyException} naming the hook, what happened and the last lines of its output.
 */
final class Hook {
    /** How long the service hook may take. */
    static final Duration SERVICE_TIMEOUT = Duration.ofMinutes(5);

    /** Output kept for the message: the end is what explains a failure. */
    private static final int KEPT = 64 * 1024;

    private Hook() {
    }

    /** Runs {@code service.hook} for a new primary. */
    static void run(String executable, ClusterId cluster, String service, NodeSpec primary) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGRDS_CLUSTER", cluster.toString());
        env.put("PGRDS_SERVICE", service);
        env.put("PGRDS_PRIMARY_NODE", primary.name());
        env.put("PGRDS_PRIMARY_HOST", primary.host());
        env.put("PGRDS_PRIMARY_PORT", Integer.toString(primary.port()));
        execute("service hook " + executable, executable, env, SERVICE_TIMEOUT);
    }

    /**
     * Runs {@code fence.hook} for a node that must not accept writes any more; returns when the hook says it is
     * fenced (exit status 0).
     *
     * @throws ApplyException when the hook fails, cannot be started or does not finish within {@code timeout}: the
     *                        node is then not known to be fenced
     */
    static void fence(String executable, ClusterId cluster, NodeSpec node, Duration timeout) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGRDS_CLUSTER", cluster.toString());
        env.put("PGRDS_NODE", node.name());
        env.put("PGRDS_NODE_HOST", node.host());
        env.put("PGRDS_NODE_PORT", Integer.toString(node.port()));
        env.put("PGRDS_NODE_SSH_PORT", Integer.toString(node.ssh().port()));
        env.put("PGRDS_DATA_DIRECTORY", node.dataDirectory());
        execute("fence hook " + executable + " for node " + node.name(), executable, env, timeout);
    }

    /**
     * Runs one executable without a shell and without arguments, with pgrds's environment plus {@code env}, standard
     * input closed, standard output and error together; throws unless it exits 0 within {@code timeout}.
     */
    private static void execute(String what, String executable, Map<String, String> env, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(List.of(executable)).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ApplyException("cannot run the " + what + ": " + e.getMessage() + "; the hook must be an "
                    + "executable file on the machine running pgrds (a command goes into a script that this path "
                    + "names)", e);
        }
        Output output = new Output(p.getInputStream());
        output.start();
        try {
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new ApplyException("the " + what + " did not finish within " + seconds(timeout)
                        + " and was killed; its last output: " + output.tail());
            }
            output.join(TimeUnit.SECONDS.toMillis(5));
            if (p.exitValue() != 0) {
                throw new ApplyException("the " + what + " failed (exit status " + p.exitValue() + "); its last "
                        + "output: " + output.tail());
            }
        } catch (IOException e) {
            kill(p);
            throw new ApplyException("the " + what + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new ApplyException("interrupted while running the " + what + "; it was killed");
        }
    }

    /** The hook and everything it started: a child holding the output pipe open would outlive it otherwise. */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Reads a hook's output while it runs (so a chatty hook never blocks on a full pipe), keeping the end. */
    private static final class Output extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        Output(InputStream in) {
            super("pgrds-hook-output");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (kept) {
                        kept.write(buffer, 0, n);
                        if (kept.size() > 2 * KEPT) {
                            byte[] all = kept.toByteArray();
                            kept.reset();
                            kept.write(all, all.length - KEPT, KEPT);
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone; what was read is what there is
            }
        }

        String tail() {
            synchronized (kept) {
                return NodeOps.tail(kept.toString(StandardCharsets.UTF_8));
            }
        }
    }
}
