package io.pgrds.transport;

import java.time.Duration;
import java.util.List;

/**
 * Everything pgrds does to a node goes through this interface: run an argv, write a file, open a tunnel
 * to the node's PostgreSQL port. Commands are always an argv, never a concatenated string; the one place
 * that turns an argv into a remote command line is {@link ShellQuote}.
 *
 * <p>One shell is one connection to one node for one run, reused for every command and tunnel.
 */
public interface NodeShell extends AutoCloseable {

    /** Runs a command and waits for it (up to its timeout). Never throws for a non-zero exit status. */
    ExecResult exec(Exec exec);

    /**
     * Writes a file atomically (temporary file, then rename) with the given owner and mode.
     *
     * @param owner an OS user name (the file's group is that user's primary group)
     * @param mode  octal mode bits, e.g. {@code 0600}
     */
    void writeFile(String path, byte[] content, String owner, int mode);

    /**
     * Opens (or reuses) a tunnel to {@code host:port} as seen from the node; returns where to connect
     * locally. The local transport returns the target unchanged.
     */
    Endpoint tunnel(String host, int port);

    /**
     * The node's SSH host key as verified by this connection, as a known_hosts line ({@code [host]:port type
     * base64}); empty for the local transport. pgrds hands it to the cluster's other nodes when they must reach
     * this one over SSH themselves (backups from a standby), so they trust exactly the key pgrds checked.
     */
    default java.util.Optional<String> hostKeyLine() {
        return java.util.Optional.empty();
    }

    /** A short description for messages: {@code root@10.0.0.1:22} or {@code local}. */
    String describe();

    @Override
    void close();

    /** A command to run on the node. */
    record Exec(List<String> argv, boolean asPostgres, byte[] stdin, Duration timeout) {
        public Exec {
            argv = List.copyOf(argv);
            stdin = stdin == null ? new byte[0] : stdin;
        }

        public static Exec of(String... argv) {
            return new Exec(List.of(argv), false, null, Duration.ofSeconds(60));
        }

        public static Exec asPostgres(String... argv) {
            return new Exec(List.of(argv), true, null, Duration.ofSeconds(60));
        }

        public Exec withStdin(byte[] input) {
            return new Exec(argv, asPostgres, input, timeout);
        }

        public Exec withTimeout(Duration t) {
            return new Exec(argv, asPostgres, stdin, t);
        }
    }

    /** How a command ended. */
    record ExecResult(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** A host and port to connect to from this machine. */
    record Endpoint(String host, int port) {
    }
}
