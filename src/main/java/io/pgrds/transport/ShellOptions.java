package io.pgrds.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * How shells are opened.
 *
 * @param acceptNewHostKeys record the host key of a server that is not in known_hosts yet, like OpenSSH's
 *                          {@code StrictHostKeyChecking=accept-new}; a changed key is refused regardless
 * @param connectTimeout    TCP connect, key exchange and authentication, each
 * @param commandTimeout    for commands whose {@link NodeShell.Exec} names no timeout, and for file writes
 */
public record ShellOptions(boolean acceptNewHostKeys, Duration connectTimeout, Duration commandTimeout) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(60);

    public ShellOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()
                || commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive: connect " + connectTimeout
                    + ", command " + commandTimeout);
        }
    }

    /** Unknown host keys refused, 10 s to connect, 60 s per command. */
    public static ShellOptions defaults() {
        return new ShellOptions(false, DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT);
    }

    public ShellOptions withAcceptNewHostKeys(boolean accept) {
        return new ShellOptions(accept, connectTimeout, commandTimeout);
    }

    public ShellOptions withConnectTimeout(Duration timeout) {
        return new ShellOptions(acceptNewHostKeys, timeout, commandTimeout);
    }

    public ShellOptions withCommandTimeout(Duration timeout) {
        return new ShellOptions(acceptNewHostKeys, connectTimeout, timeout);
    }
}
