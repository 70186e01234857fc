package io.pgrds.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How shells are opened.
 *
 * @param acceptNewHostKeys record the host key of a server that is not in known_hosts yet, like OpenSSH's
 *                          {@code StrictHostKeyChecking=accept-new}; a changed key is refused regardless
 * @param connectTimeout    TCP connect, key exchange and authentication, each
 * @param commandTimeout    for commands whose {@link NodeShell.Exec} names no timeout, and for file writes
 * @param agentSocket       the ssh-agent to ask for keys first ({@code SSH_AUTH_SOCK} by default), or none
 */
public record ShellOptions(boolean acceptNewHostKeys, Duration connectTimeout, Duration commandTimeout,
                           Optional<Path> agentSocket) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(60);

    public ShellOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(agentSocket, "agentSocket");
        if (connectTimeout.isNegative() || connectTimeout.isZero()
                || commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive: connect " + connectTimeout
                    + ", command " + commandTimeout);
        }
    }

    /** With the agent of {@code SSH_AUTH_SOCK}, if set. */
    public ShellOptions(boolean acceptNewHostKeys, Duration connectTimeout, Duration commandTimeout) {
        this(acceptNewHostKeys, connectTimeout, commandTimeout, environmentAgent());
    }

    /** Unknown host keys refused, 10 s to connect, 60 s per command, the agent of {@code SSH_AUTH_SOCK} if set. */
    public static ShellOptions defaults() {
        return new ShellOptions(false, DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT);
    }

    /** The agent socket {@code SSH_AUTH_SOCK} names, as ssh finds its agent; none when unset or empty. */
    public static Optional<Path> environmentAgent() {
        String sock = System.getenv("SSH_AUTH_SOCK");
        return sock == null || sock.isBlank() ? Optional.empty() : Optional.of(Path.of(sock));
    }

    public ShellOptions withAgentSocket(Optional<Path> socket) {
        return new ShellOptions(acceptNewHostKeys, connectTimeout, commandTimeout, socket);
    }

    public ShellOptions withAcceptNewHostKeys(boolean accept) {
        return new ShellOptions(accept, connectTimeout, commandTimeout, agentSocket);
    }

    public ShellOptions withConnectTimeout(Duration timeout) {
        return new ShellOptions(acceptNewHostKeys, timeout, commandTimeout, agentSocket);
    }

    public ShellOptions withCommandTimeout(Duration timeout) {
        return new ShellOptions(acceptNewHostKeys, connectTimeout, timeout, agentSocket);
    }
}
