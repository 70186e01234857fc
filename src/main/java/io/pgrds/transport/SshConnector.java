package io.pgrds.transport;

import io.pgrds.transport.target.Target;
import io.pgrds.transport.target.SshSettings;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.SocketFactory;

/**
 * Getting a working SSH connection for {@link SshNodeShell}: TCP, the host key checked against known_hosts
 * ({@link KnownHostsVerifier}), authentication by key only. Every way that can fail becomes a
 * {@link TransportException} whose message says what failed and what to do.
 */
final class SshConnector {
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

    private SshConnector() {
    }

    /**
     * An authenticated connection.
     *
     * @param recordedHostKey the known_hosts line this connection added, or null
     * @param hostKeyLine     the verified host key as a known_hosts line
     */
    record Connected(SSHClient ssh, String recordedHostKey, String hostKeyLine) {
    }

    /** Connects, verifies the host key and authenticates; see {@link SshNodeShell#connect}. */
    static Connected connect(Target node, ShellOptions options) {
        SshSettings settings = node.ssh();
        String where = describe(node);
        Path knownHosts = settings.knownHostsFile().map(SshConnector::expandHome)
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
            ShellIo.closeQuietly(ssh);
            throw connectFailure(node, where, verifier, options, e);
        }
        try {
            List<KeyProvider> providers = new ArrayList<>();
            for (Path key : keys) {
                providers.add(ssh.loadKeys(key.toString()));
            }
            ssh.authPublickey(settings.user(), providers);
        } catch (IOException e) {
            ShellIo.closeQuietly(ssh);
            throw authFailure(settings, where, keys, e);
        }
        try {
            // an established connection may stay idle between commands for as long as a run takes
            ssh.getSocket().setSoTimeout(0);
        } catch (IOException e) {
            ShellIo.closeQuietly(ssh);
            throw new TransportException("Unable to connect to " + where + ": " + e.getMessage(), e);
        }
        return new Connected(ssh, verifier.accepted(), verifier.verifiedLine(node.host(), settings.port()));
    }

    /** {@code user@host:port}, how messages name a node reached over SSH. */
    static String describe(Target node) {
        return node.ssh().user() + "@" + node.host() + ":" + node.ssh().port();
    }

    private static synchronized Config config() {
        if (sharedConfig == null) {
            sharedConfig = new DefaultConfig();
        }
        return sharedConfig;
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

    private static TransportException connectFailure(Target node, String where, KnownHostsVerifier verifier,
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
        boolean timedOut = e instanceof ConnectException && String.valueOf(e.getMessage()).contains("timed out");
        if (timedOut || e instanceof SocketTimeoutException || e instanceof NoRouteToHostException) {
            kind = TransportException.Kind.SILENT;
            reason = "no SSH answer within " + Commands.seconds(options.connectTimeout())
                    + " (is the host up, the port open in its firewall, and sshd the service listening there?)";
        } else if (e instanceof ConnectException) {
            kind = TransportException.Kind.REFUSED;
            reason = "connection refused (is sshd running and listening on " + node.host() + " port "
                    + node.ssh().port() + "?)";
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

    static String hostKeyMessage(Target node, String where, Path file, KnownHostsVerifier.Rejection r) {
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
}
