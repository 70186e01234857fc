package io.pgrds.transport;

/**
 * The node could not be reached or a command could not be run (as opposed to a command that ran and
 * failed, which is an {@link NodeShell.ExecResult}). The observer turns it into an UNREACHABLE node.
 */
public class TransportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
