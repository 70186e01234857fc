package io.pgrds.transport;

/**
 * The node could not be reached or a command could not be run (as opposed to a command that ran and
 * failed, which is an {@link NodeShell.ExecResult}). The observer turns it into an UNREACHABLE node; one that
 * reaches the CLI is {@code error [UNREACHABLE]}, never "a bug in pgrds".
 *
 * <p>{@link #kind()} says on which side the cause lies, because what an operator should do differs: a missing key
 * or an unknown host key is fixed on the machine running pgrds and says nothing about the node; a node that answers
 * but refuses the key is up; only a node that does not answer (or a connection lost) may be down.
 */
public class TransportException extends io.pgrds.error.PgrdsException {
    private static final long serialVersionUID = 1L;

    /** Where the cause lies. */
    public enum Kind {
        /** On the machine running pgrds: no usable key, known_hosts unreadable, host key unknown or changed,
         *  a name that does not resolve. The node itself may be perfectly well. */
        LOCAL,
        /** The node's sshd answered and refused pgrds's key: the machine is up. */
        AUTHENTICATION,
        /** The machine answered but nothing listens on the SSH port (connection refused): it is up, sshd is not. */
        REFUSED,
        /** No answer at all (timeout, no route): the machine may be down, or cut off. */
        SILENT,
        /** An established connection broke, or a command could not be run or timed out on it. */
        LOST,
        /** A jump host on the way did not answer, refused or failed: the node itself may be perfectly well. */
        JUMP
    }

    private final Kind kind;

    public TransportException(String message) {
        this(Kind.LOST, message, null);
    }

    public TransportException(String message, Throwable cause) {
        this(cause instanceof TransportException t ? t.kind : Kind.LOST, message, cause);
    }

    public TransportException(Kind kind, String message, Throwable cause) {
        super(io.pgrds.error.ErrorCode.UNREACHABLE, message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
