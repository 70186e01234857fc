package io.pgrds.transport;

import io.pgrds.util.ShellQuote;
import io.pgrds.desired.Become;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.SshSettings;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.connection.channel.direct.LocalPortForwarder;
import net.schmizz.sshj.connection.channel.direct.Parameters;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.SocketFactory;

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
 * key only. Every failure to get a working connection is a {@link TransportException} whose message says
 * what failed and what to do.
 */
public final class SshNodeShell implements NodeShell {
    /** After the timeout's SIGTERM, SIGKILL follows this much later. */
    private static final Duration KILL_AFTER = Duration.ofSeconds(5);
    /** How long after that this side stops waiting for the node. */
    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(5);
    /** How long closing waits for tunnelled connections that just ended to finish closing their channels. */
    private static final Duration TUNNEL_DRAIN = Duration.ofSeconds(2);
    private static final List<String> DEFAULT_KEYS = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    /**
     * Key exchange, authentication and every command are exchanges of small messages; with Nagle's algorithm
     * against the peer's delayed ACKs each command took 40 ms longer than it needs (50 ms instead of 8 here).
     */
    private static final SocketFactory NO_DELAY = new SocketFactory() {
        @Override
        public Socket createSocket() throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            throw new UnsupportedOperationException("sshj connects an unconnected socket itself");
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            throw new UnsupportedOperationException("sshj connects an unconnected socket itself");
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            throw new UnsupportedOperationException("sshj connects an unconnected socket itself");
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            throw new UnsupportedOperationException("sshj connects an unconnected socket itself");
        }
    };

    /** Building an sshj configuration registers algorithms and a random source; one serves every connection. */
    private static Config sharedConfig;

    private final NodeSpec node;
    private final ShellOptions options;
    private final SSHClient ssh;
    private final String description;
    private final ExecutorService io;
    private final Map<NodeShell.Endpoint, Forward> tunnels = new HashMap<>();
    private final String recordedHostKey;

    private final String hostKeyLine;

    private SshNodeShell(NodeSpec node, ShellOptions options, SSHClient ssh, String recordedHostKey,
                         String hostKeyLine) {
        this.hostKeyLine = hostKeyLine;
        this.node = node;
        this.options = options;
        this.ssh = ssh;
        this.recordedHostKey = recordedHostKey;
        this.description = describe(node);
        this.io = Executors.newCachedThreadPool(LocalNodeShell.daemonThreads("pgrds-ssh-io " + description));
    }

    /**
     * Connects, verifies the host key and authenticates.
     *
     * @throws TransportException when the node cannot be reached, its host key is unknown or changed, or
     *                            authentication fails; the message says which and what to do
     */
    public static SshNodeShell connect(NodeSpec node, ShellOptions options) {
        SshSettings settings = node.ssh();
        String where = describe(node);
        Path knownHosts = settings.knownHostsFile().map(SshNodeShell::expandHome)
                .orElse(userHome().resolve(".ssh/known_hosts"));
        List<Path> keys = identityFiles(settings, where);

        SSHClient ssh = new SSHClient(config());
        ssh.setSocketFactory(NO_DELAY);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
        ssh.setConnectTimeout(timeoutMs);
        // reads time out too until authenticated: a port that accepts but never speaks SSH must not hang us
        ssh.setTimeout(timeoutMs);
        ssh.getTransport().setTimeoutMs(timeoutMs);
        ssh.getConnection().setTimeoutMs(timeoutMs);
        KnownHostsVerifier verifier;
        try {
            verifier = new KnownHostsVerifier(knownHosts, options.acceptNewHostKeys());
        } catch (IOException e) {
            throw new TransportException(TransportException.Kind.LOCAL, "Unable to read known hosts file " + knownHosts
                    + " for " + where + ": " + e, e);
        }
        ssh.addHostKeyVerifier(verifier);
        try {
            ssh.connect(node.host(), settings.port());
        } catch (IOException e) {
            closeQuietly(ssh);
            throw connectFailure(node, where, verifier, options, e);
        }
        try {
            List<KeyProvider> providers = new ArrayList<>();
            for (Path key : keys) {
                providers.add(ssh.loadKeys(key.toString()));
            }
            ssh.authPublickey(settings.user(), providers);
        } catch (IOException e) {
            closeQuietly(ssh);
            throw authFailure(settings, where, keys, e);
        }
        try {
            // an established connection may stay idle between commands for as long as a run takes
            ssh.getSocket().setSoTimeout(0);
        } catch (IOException e) {
            closeQuietly(ssh);
            throw new TransportException("Unable to connect to " + where + ": " + e.getMessage(), e);
        }
        return new SshNodeShell(node, options, ssh, verifier.accepted(), verifier.verifiedLine(node.host(),
                settings.port()));
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
            Future<Void> feeder = io.submit(() -> feed(command.getOutputStream(), stdin));

            byte[] stdout = out.get(remaining(deadline), TimeUnit.NANOSECONDS);
            byte[] stderr = err.get(remaining(deadline), TimeUnit.NANOSECONDS);
            int status = awaitExitStatus(command, shown, deadline);
            // a command that exits without reading all its input leaves the feeder waiting for window space
            feeder.cancel(true);
            finished = true;
            boolean tookTheWholeTimeout = System.nanoTime() - start >= timeout.toNanos();
            if (tookTheWholeTimeout && (status == 124 || status == 128 + 9)) {
                // timeout's own statuses: the command got SIGTERM (124) or, ignoring that, SIGKILL (137)
                throw timedOut(shown, timeout);
            }
            return new ExecResult(status, utf8(stdout), utf8(stderr));
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
                closeQuietly(session);
            } else {
                // closing waits for the server's answer; a hung command must not hold the caller
                io.submit(() -> closeQuietly(session));
            }
        }
    }

    @Override
    public void writeFile(String path, byte[] content, String owner, int mode) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a file path on a node must be absolute: " + path);
        }
        String user = node.ssh().user();
        // only root may give a file away; another user's file is written as that user (postgres)
        boolean become = !"root".equals(user) && !owner.equals(user) && node.ssh().become() != Become.NONE;
        Exec write = new Exec(Commands.writeFileArgv(path, mode, owner), become, content, options.commandTimeout());
        ExecResult result = exec(write);
        if (!result.ok()) {
            throw new TransportException("writing " + path + " (owner " + owner + ", mode " + Commands.octal(mode)
                    + ") on " + description + " failed: " + result.stderr().strip());
        }
    }

    /**
     * A local port forwarded through this connection to {@code host:port} as the node sees it (use the node's
     * own address or {@code 127.0.0.1}). One listener per target, on 127.0.0.1 and a free port, kept until
     * {@link #close()}. The target is not contacted until a client connects; a client of a target that refuses
     * the connection sees it closed at once.
     */
    @Override
    public synchronized Endpoint tunnel(String host, int port) {
        Endpoint target = new Endpoint(host, port);
        Forward existing = tunnels.get(target);
        if (existing != null && !existing.socket.isClosed()) {
            return existing.local;
        }
        if (!ssh.isConnected()) {
            throw new TransportException("Unable to open a tunnel to " + host + ":" + port + " through "
                    + description + ": the connection is closed");
        }
        try {
            NoDelayServerSocket socket = new NoDelayServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String localHost = socket.getInetAddress().getHostAddress();
            Parameters parameters = new Parameters(localHost, socket.getLocalPort(), host, port);
            LocalPortForwarder forwarder = ssh.newLocalPortForwarder(parameters, socket);
            Thread listener = new Thread(() -> {
                try {
                    forwarder.listen();
                } catch (IOException e) {
                    // closed with the shell
                }
            }, "pgrds-tunnel " + description + " -> " + host + ":" + port);
            listener.setDaemon(true);
            listener.start();
            Forward forward = new Forward(new Endpoint(localHost, socket.getLocalPort()), forwarder, socket);
            tunnels.put(target, forward);
            return forward.local;
        } catch (IOException e) {
            throw new TransportException("Unable to open a tunnel to " + host + ":" + port + " through "
                    + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public synchronized void close() {
        for (Forward forward : tunnels.values()) {
            try {
                forward.forwarder.close();
            } catch (IOException e) {
                // closing anyway
            }
            closeQuietly(forward.socket);
        }
        awaitTunnelledConnectionsClosed();
        tunnels.clear();
        closeQuietly(ssh);
        io.shutdownNow();
    }

    /**
     * A client that just closed its tunnelled connection (the SQL probe, right before the run ends) leaves its
     * channel closing for a round trip or two: sshj closes the channel, then the local socket, once both
     * directions have ended. Disconnecting in that window breaks the channel's copier threads, which sshj logs as
     * errors with stack traces on stderr. So wait, briefly, until every accepted socket is closed.
     */
    private void awaitTunnelledConnectionsClosed() {
        long deadline = System.nanoTime() + TUNNEL_DRAIN.toNanos();
        for (Forward forward : tunnels.values()) {
            for (Socket socket : forward.socket.accepted) {
                while (!socket.isClosed() && ssh.isConnected() && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private record Forward(Endpoint local, LocalPortForwarder forwarder, NoDelayServerSocket socket) {
    }

    /** A tunnel's listener; its client connections skip Nagle's algorithm, like {@link #NO_DELAY} (SQL is chatty). */
    private static final class NoDelayServerSocket extends ServerSocket {
        /** Every connection accepted, so that closing the shell can wait for them to end. */
        final List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();

        NoDelayServerSocket() throws IOException {
            super();
        }

        @Override
        public Socket accept() throws IOException {
            Socket socket = new HalfClosingSocket();
            implAccept(socket);
            socket.setTcpNoDelay(true);
            accepted.removeIf(Socket::isClosed);
            accepted.add(socket);
            return socket;
        }
    }

    /**
     * A tunnelled connection whose output stream, closed, ends only this direction (a TCP half-close, as OpenSSH
     * forwards it). sshj closes the output stream when the node's side ends; with a plain socket that closes the
     * whole socket under the thread still reading what the local client sends, which sshj logs as an error with
     * a stack trace. Half-closed, the client sees the end of the stream, closes its side, and sshj closes the
     * socket once both directions have ended.
     */
    private static final class HalfClosingSocket extends Socket {
        private OutputStream out;

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
                OutputStream socketOut = super.getOutputStream();
                out = new java.io.FilterOutputStream(socketOut) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        socketOut.write(b, off, len);
                    }

                    @Override
                    public void close() {
                        try {
                            socketOut.flush();
                            if (!isClosed() && !isOutputShutdown()) {
                                shutdownOutput();
                            }
                        } catch (IOException e) {
                            // the client is gone already; the socket is closed with the channel
                        }
                    }
                };
            }
            return out;
        }
    }

    private static synchronized Config config() {
        if (sharedConfig == null) {
            sharedConfig = new DefaultConfig();
        }
        return sharedConfig;
    }

    private static String describe(NodeSpec node) {
        return node.ssh().user() + "@" + node.host() + ":" + node.ssh().port();
    }

    private static Path userHome() {
        return Path.of(System.getProperty("user.home"));
    }

    /** {@code ~/x} as OpenSSH reads it: relative to the home directory of the user running pgrds. */
    static Path expandHome(String path) {
        if (path.equals("~")) {
            return userHome();
        }
        return path.startsWith("~/") ? userHome().resolve(path.substring(2)) : Path.of(path);
    }

    private static List<Path> identityFiles(SshSettings settings, String where) {
        if (settings.identityFile().isPresent()) {
            Path key = expandHome(settings.identityFile().get());
            if (!Files.isReadable(key)) {
                throw new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where
                        + ": identity file " + key
                        + (Files.exists(key) ? " is not readable" : " does not exist")
                        + ". Fix ssh.identityFile or create the key.", null);
            }
            return List.of(key);
        }
        Path dir = userHome().resolve(".ssh");
        List<Path> keys = DEFAULT_KEYS.stream().map(dir::resolve).filter(Files::isReadable).toList();
        if (keys.isEmpty()) {
            throw new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where
                    + ": no private key found ("
                    + DEFAULT_KEYS.stream().map(k -> dir.resolve(k).toString()).collect(Collectors.joining(", "))
                    + "). Set ssh.identityFile or create a key with ssh-keygen.", null);
        }
        return keys;
    }

    private static TransportException connectFailure(NodeSpec node, String where, KnownHostsVerifier verifier,
                                                     ShellOptions options, IOException e) {
        KnownHostsVerifier.Rejection rejection = verifier.rejection();
        if (rejection != null) {
            return new TransportException(TransportException.Kind.LOCAL, hostKeyMessage(node, where,
                    verifier.file(), rejection), e);
        }
        if (verifier.recordFailure() != null) {
            return new TransportException(TransportException.Kind.LOCAL, verifier.recordFailure(), e);
        }
        String reason;
        TransportException.Kind kind = TransportException.Kind.LOST;
        if (e instanceof ConnectException && String.valueOf(e.getMessage()).contains("timed out")) {
            kind = TransportException.Kind.SILENT;
            reason = "no SSH answer within " + Commands.seconds(options.connectTimeout())
                    + " (is the host up, the port open in its firewall, and sshd the service listening there?)";
        } else if (e instanceof ConnectException) {
            kind = TransportException.Kind.REFUSED;
            reason = "connection refused (is sshd running and listening on " + node.host() + " port "
                    + node.ssh().port() + "?)";
        } else if (e instanceof SocketTimeoutException || e instanceof NoRouteToHostException) {
            kind = TransportException.Kind.SILENT;
            reason = "no SSH answer within " + Commands.seconds(options.connectTimeout())
                    + " (is the host up, the port open in its firewall, and sshd the service listening there?)";
        } else if (e instanceof java.net.SocketException && String.valueOf(e.getMessage()).contains(
                "Network is unreachable")) {
            kind = TransportException.Kind.LOCAL;
            reason = "this machine has no route to " + node.host() + " (Network is unreachable: check this "
                    + "machine's network, VPN and routes; the node itself may be fine)";
        } else if (e instanceof UnknownHostException) {
            kind = TransportException.Kind.LOCAL;
            reason = "unknown host " + node.host() + " (check the name in the cluster file and DNS)";
        } else if (e instanceof SSHException ssh && ssh.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
            kind = TransportException.Kind.LOCAL;
            reason = "the host key could not be verified (" + e.getMessage() + ")";
        } else {
            reason = String.valueOf(e.getMessage());
        }
        return new TransportException(kind, "Unable to connect to " + where + ": " + reason, e);
    }

    static String hostKeyMessage(NodeSpec node, String where, Path file, KnownHostsVerifier.Rejection r) {
        String presented = r.keyType() + " key " + r.fingerprint();
        if (r.verdict() == KnownHostsVerifier.Verdict.UNKNOWN) {
            return "Unable to connect to " + where + ": its host key is unknown. The server presented the "
                    + presented + ", which " + file + " does not list for " + r.hostEntry() + ". Check the"
                    + " fingerprint with the server's administrator (on the server: ssh-keygen -lf"
                    + " /etc/ssh/ssh_host_" + r.keyType().replace("ssh-", "").replaceAll("-.*", "")
                    + "_key.pub), then run again with --accept-new-host-keys to record it.";
        }
        return "REFUSING to connect to " + where + " (node " + node.name() + "): the host key for "
                + r.hostEntry() + " has changed! The server presented the " + presented + ", but " + file
                + " records " + String.join(", ", r.known()) + ". This is a possible man-in-the-middle attack"
                + " (or the server was reinstalled). --accept-new-host-keys never accepts a changed key:"
                + " remove the old key from " + file + " if the change is expected (ssh-keygen -R '"
                + r.hostEntry() + "' -f " + file + "), then run again with --accept-new-host-keys.";
    }

    private static TransportException authFailure(SshSettings settings, String where, List<Path> keys, IOException e) {
        String tried = keys.stream().map(Path::toString).collect(Collectors.joining(", "));
        if (e instanceof UserAuthException) {
            return new TransportException(TransportException.Kind.AUTHENTICATION, "Unable to connect to " + where
                    + ": authentication as " + settings.user() + " failed with key " + tried + " (" + e.getMessage()
                    + "). Check that its public key is in " + settings.user() + "'s authorized_keys on the node and "
                    + "that the key file is the right one.", e);
        }
        return new TransportException(TransportException.Kind.AUTHENTICATION, "Unable to connect to " + where
                + ": authentication as " + settings.user() + " failed with key " + tried + ": " + e.getMessage(), e);
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
            if (remaining(deadline) == 0) {
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

    private static Void feed(OutputStream out, byte[] stdin) {
        try (out) {
            out.write(stdin);
            // sshj's close() sends what is still buffered only if the server's window has room, and drops it
            // otherwise; flush() waits for the room
            out.flush();
        } catch (IOException e) {
            // the command exited or closed its input without reading all of it; its exit status tells
        }
        return null;
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing more to do with it
        }
    }
}
