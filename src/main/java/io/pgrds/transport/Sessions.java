package io.pgrds.transport;

import io.pgrds.transport.target.Target;
import io.pgrds.transport.target.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node shells of one run: one connection per node, opened on first use, reused by observation and apply,
 * closed together at the end. A node that could not be reached is remembered, so it is not retried within
 * the run.
 */
public final class Sessions implements AutoCloseable {
    private final ShellOptions options;
    private final Opener opener;
    private final Map<String, Object> shells = new ConcurrentHashMap<>();

    /** Opens a shell; the real one is {@link NodeShells#open}. Tests pass their own. */
    @FunctionalInterface
    public interface Opener {
        NodeShell open(Transport transport, Target node, ShellOptions options);
    }

    public Sessions(ShellOptions options) {
        this(options, NodeShells::open);
    }

    public Sessions(ShellOptions options, Opener opener) {
        this.options = options;
        this.opener = opener;
    }

    /**
     * Builds what every SSH connection of the process shares (sshj's algorithms, with BouncyCastle's provider
     * registered: some 80 ms), ahead of the first connection. Calling it is never needed, only quicker.
     */
    public static void prepare() {
        SshConnector.config();
    }

    public ShellOptions options() {
        return options;
    }

    /** The shell of this node, opening it if needed; throws {@link TransportException} when unreachable. */
    public NodeShell shell(Transport transport, Target node) {
        String key = transport + "|" + node.ssh().user() + "@" + node.host() + ":" + node.ssh().port();
        Object s = shells.computeIfAbsent(key, k -> {
            try {
                return opener.open(transport, node, options);
            } catch (TransportException e) {
                return e;
            }
        });
        if (s instanceof TransportException e) {
            throw new TransportException(e.getMessage(), e);
        }
        return (NodeShell) s;
    }

    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (Object s : shells.values()) {
            if (s instanceof NodeShell shell) {
                try {
                    shell.close();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        }
        shells.clear();
        if (!failures.isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(Sessions.class).debug("closing shells: {}", failures);
        }
    }
}
