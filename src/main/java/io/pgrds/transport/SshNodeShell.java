package io.pgrds.transport;

import io.pgrds.transport.target.Target;
import io.pgrds.transport.target.Become;
import io.pgrds.util.ShellQuote;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link NodeShell} over one SSH connection (sshj), opened by {@link #connect} and reused for every command
 * and tunnel until {@link #close()}. Each command is a new session channel running
 * {@code cd / && exec timeout ... ARGV} through the login user's shell, the argv quoted by {@link ShellQuote};
 * the login shell must therefore be a POSIX shell (sh, dash, bash, zsh, ksh), which it is for root and for
 * accounts made by {@code useradd}, and the node needs coreutils' {@code timeout}. Whatever the login user's
 * shell start-up files print ends up in the output, as with {@code ssh host command}; what they cost
 * (bash reads {@code ~/.bashrc} for SSH commands) is paid by every command.
 *
 * <p>Host keys are checked against a known_hosts file (see {@link KnownHostsVerifier}); authentication is by
 * key only ({@link SshConnector}). Every failure to get a working connection is a {@link TransportException}
 * whose message says what failed and what to do. Tunnels are {@link SshTunnels}.
 */
public final class SshNodeShell implements NodeShell {
    /** After the timeout's SIGTERM, SIGKILL follows this much later. */
    private static final Duration KILL_AFTER = Duration.ofSeconds(5);
    /** How long after that this side stops waiting for the node. */
    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(5);

    private final Target node;
    private final ShellOptions options;
    private final SSHClient ssh;
    private final SshConnector.Connected connected;
    private final String description;
    private final ExecutorService io;
    private final SshTunnels tunnels;
    private final String recordedHostKey;
    private final String hostKeyLine;

    private SshNodeShell(Target node, ShellOptions options, SshConnector.Connected connected) {
        this.node = node;
        this.options = options;
        this.ssh = connected.ssh();
        this.connected = connected;
        this.recordedHostKey = connected.recordedHostKey();
        this.hostKeyLine = connected.hostKeyLine();
        this.description = connected.description();
        this.tunnels = new SshTunnels(ssh, description);
        this.io = Executors.newCachedThreadPool(ShellIo.daemonThreads("pgrds-ssh-io " + description));
    }

    /**
     * Connects, verifies the host key and authenticates.
     *
     * @throws TransportException when the node cannot be reached, its host key is unknown or changed, or
     *                            authentication fails; the message says which and what to do
     */
    public static SshNodeShell connect(Target node, ShellOptions options) {
        return new SshNodeShell(node, options, SshConnector.connect(node, options));
    }

    @Override
    public Optional<String> hostKeyLine() {
        return Optional.ofNullable(hostKeyLine);
    }

    /**
     * The known_hosts line this connection added (with {@link ShellOptions#acceptNewHostKeys()}), for the caller
     * to tell the user, as ssh does ("Permanently added ... to the list of known hosts").
     */
    public Optional<String> recordedHostKey() {
        return Optional.ofNullable(recordedHostKey);
    }

    /**
     * Runs the command as {@code cd / && exec timeout -k 5 SECONDS ARGV}. The node enforces the timeout itself
     * (coreutils' {@code timeout} signals the command's whole process group, and sudo and runuser pass the
     * signal on), because OpenSSH does not deliver signals to a root login's session. This side gives up a
     * little later in case the node cannot even do that.
     */
    @Override
    public ExecResult exec(Exec exec) {
        List<String> argv = Commands.effectiveArgv(node.ssh().become(), exec);
        Duration timeout = exec.timeout() != null ? exec.timeout() : options.commandTimeout();
        long start = System.nanoTime();
        long deadline = start + timeout.plus(KILL_AFTER).plus(GIVE_UP_AFTER).toNanos();
        String shown = Commands.show(argv);
        String commandLine = "cd / && exec timeout -k " + KILL_AFTER.toSeconds() + " " + decimalSeconds(timeout) + " "
                + ShellQuote.join(argv);

        Session session;
        try {
            if (!ssh.isConnected()) {
                throw new TransportException("Unable to run `" + shown + "` on " + description
                        + ": the connection is closed");
            }
            session = ssh.startSession();
        } catch (IOException | IllegalStateException e) {
            // sshj says "not connected" with an IllegalStateException when the connection died just now
            throw new TransportException("Unable to run `" + shown + "` on " + description + ": "
                    + (ssh.isConnected() ? "the server refused a new session (" + e.getMessage() + ")"
                    : "the connection is closed"), e);
        }
        boolean finished = false;
        try {
            Session.Command command = session.exec(commandLine);
            Future<byte[]> out = io.submit(() -> readAll(command.getInputStream()));
            Future<byte[]> err = io.submit(() -> readAll(command.getErrorStream()));
            byte[] stdin = exec.stdin();
            Future<Void> feeder = io.submit(() -> ShellIo.feed(command.getOutputStream(), stdin));

            byte[] stdout = out.get(ShellIo.remaining(deadline), TimeUnit.NANOSECONDS);
            byte[] stderr = err.get(ShellIo.remaining(deadline), TimeUnit.NANOSECONDS);
            int status = awaitExitStatus(command, shown, deadline);
            // a command that exits without reading all its input leaves the feeder waiting for window space
            feeder.cancel(true);
            finished = true;
            boolean tookTheWholeTimeout = System.nanoTime() - start >= timeout.toNanos();
            if (tookTheWholeTimeout && (status == 124 || status == 128 + 9)) {
                // timeout's own statuses: the command got SIGTERM (124) or, ignoring that, SIGKILL (137)
                throw timedOut(shown, timeout);
            }
            return new ExecResult(status, ShellIo.utf8(stdout), ShellIo.utf8(stderr));
        } catch (TimeoutException e) {
            throw timedOut(shown, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while running `" + shown + "` on " + description, e);
        } catch (ExecutionException e) {
            throw lost(shown, e.getCause());
        } catch (IOException e) {
            throw lost(shown, e);
        } finally {
            if (finished) {
                ShellIo.closeQuietly(session);
            } else {
                // closing waits for the server's answer; a hung command must not hold the caller
                io.submit(() -> ShellIo.closeQuietly(session));
            }
        }
    }

    @Override
    public void writeFile(String path, byte[] content, String owner, int mode) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a file path on a node must be absolute: " + path);
        }
        String user = connected.user();
        // only root may give a file away; another user's file is written as that user (postgres)
        boolean become = !"root".equals(user) && !owner.equals(user) && node.ssh().become() != Become.NONE;
        Commands.writeFileByScript(this, path, content, owner, mode, become, options.commandTimeout());
    }

    /**
     * A local port forwarded through this connection to {@code host:port} as the node sees it (use the node's
     * own address or {@code 127.0.0.1}). One listener per target, on 127.0.0.1 and a free port, kept until
     * {@link #close()}. The target is not contacted until a client connects; a client of a target that refuses
     * the connection sees it closed at once.
     */
    @Override
    public synchronized Endpoint tunnel(String host, int port) {
        return tunnels.open(host, port);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public synchronized void close() {
        tunnels.close();
        connected.close();
        io.shutdownNow();
    }

    private TransportException timedOut(String shown, Duration timeout) {
        return new TransportException("command `" + shown + "` timed out after " + Commands.seconds(timeout)
                + " on " + description + "; the node stopped it (SIGTERM, and SIGKILL " + KILL_AFTER.toSeconds()
                + "s later if needed)");
    }

    /** {@code 1.5} for 1500 ms: coreutils' timeout takes fractional seconds. */
    private static String decimalSeconds(Duration d) {
        long ms = Math.max(1, d.toMillis());
        return String.format(java.util.Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }

    private TransportException lost(String shown, Throwable cause) {
        return new TransportException("Unable to run `" + shown + "` on " + description + ": "
                + (ssh.isConnected() ? String.valueOf(cause.getMessage()) : "the connection was lost"), cause);
    }

    /**
     * The exit status (128 + signal number for a signal, as a shell reports it). It comes as a message of its
     * own, around the end of the output; waiting for it rather than for the channel to close does not depend on
     * the command having read all its input.
     */
    private int awaitExitStatus(Session.Command command, String shown, long deadline)
            throws TimeoutException, InterruptedException {
        while (true) {
            Integer status = command.getExitStatus();
            if (status != null) {
                return status;
            }
            Signal signal = command.getExitSignal();
            if (signal != null) {
                return 128 + signalNumber(signal);
            }
            if (!command.isOpen()) {
                // the status may have been the last message before the close
                status = command.getExitStatus();
                if (status != null) {
                    return status;
                }
                throw new TransportException("command `" + shown + "` on " + description
                        + " ended without an exit status" + (ssh.isConnected() ? "" : " (the connection was lost)"));
            }
            if (ShellIo.remaining(deadline) == 0) {
                throw new TimeoutException();
            }
            Thread.sleep(1);
        }
    }

    private static int signalNumber(Signal signal) {
        return switch (signal) {
            case HUP -> 1;
            case INT -> 2;
            case QUIT -> 3;
            case ILL -> 4;
            case ABRT -> 6;
            case FPE -> 8;
            case KILL -> 9;
            case USR1 -> 10;
            case SEGV -> 11;
            case USR2 -> 12;
            case PIPE -> 13;
            case ALRM -> 14;
            case TERM -> 15;
            case UNKNOWN -> 0;
        };
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
