package io.pgrds.transport;

import io.pgrds.transport.target.Target;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPublickey;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

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
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.SocketFactory;

/**
 * Getting a working SSH connection for {@link SshNodeShell}: the way there ({@link SshRoute}: jump hosts, then the
 * node, with the SSH configuration applied), TCP or a channel through the previous hop, each host key checked
 * against known_hosts ({@link KnownHostsVerifier}), authentication by key only: the agent's keys first
 * ({@link SshAgent}), then key files. Every way that can fail becomes a {@link TransportException} whose message
 * says what failed, on which hop, and what to do.
 */
final class SshConnector {
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
     * @param jumps           the connections to the jump hosts it runs through, outermost first (closed with it)
     * @param user            the user it is logged in as (the cluster file's, the SSH configuration's, or root)
     * @param recordedHostKey the known_hosts lines this connection added (node and jump hosts), or null
     * @param hostKeyLine     the node's verified host key as a known_hosts line for its host
     * @param description     how messages name the connection: {@code user@host:port}, and the jump hosts
     */
    record Connected(SSHClient ssh, List<SSHClient> jumps, String user, String recordedHostKey, String hostKeyLine,
                     String description) {
        void close() {
            List<SSHClient> all = new ArrayList<>(jumps);
            all.add(ssh);
            closeAll(all);
        }
    }

    /** Connects, verifies the host keys and authenticates; see {@link SshNodeShell#connect}. */
    static Connected connect(Target node, ShellOptions options) {
        SshRoute route = SshRoute.resolve(node, options.acceptNewHostKeys());
        SshAgent agent = options.agentSocket().map(SshAgent::at).orElse(null);
        List<SshAgent.Identity> agentKeys = agent == null ? List.of() : agent.identities();
        List<SSHClient> open = new ArrayList<>();
        List<String> recorded = new ArrayList<>();
        String hostKeyLine = null;
        try {
            SSHClient previous = null;
            List<SshRoute.Hop> hops = route.hops();
            for (int i = 0; i < hops.size(); i++) {
                SshRoute.Hop hop = hops.get(i);
                boolean last = i == hops.size() - 1;
                String where = last ? describe(node, route) : "jump host " + hop.shown() + " (hop " + (i + 1)
                        + " of " + hops.size() + " on the way to " + route.node().shown() + ")";
                KnownHostsVerifier verifier = verifier(hop, where);
                String named = last ? where + " (node " + node.name() + ")" : where;
                SSHClient ssh = newClient(options);
                ssh.addHostKeyVerifier(verifier);
                open.add(ssh);
                try {
                    if (previous == null) {
                        ssh.connect(hop.hostName(), hop.port());
                    } else {
                        ssh.connectVia(previous.newDirectConnection(hop.hostName(), hop.port()));
                    }
                } catch (IOException e) {
                    throw onTheWay(connectFailure(hop, where, named, verifier, options, e), last);
                }
                authenticate(ssh, hop, where, agent, agentKeys, last);
                if (verifier.accepted() != null) {
                    recorded.add(verifier.accepted());
                }
                if (last) {
                    // for the other nodes (pgBackRest between nodes): by the host and port the cluster file
                    // gives them, not how this machine reaches the node (HostName, Port of its SSH configuration)
                    hostKeyLine = verifier.verifiedLine(node.host(), node.ssh().port());
                }
                previous = ssh;
            }
            SSHClient ssh = open.get(open.size() - 1);
            if (ssh.getSocket() != null) {
                // an established connection may stay idle between commands for as long as a run takes
                ssh.getSocket().setSoTimeout(0);
            }
            for (SSHClient jump : open.subList(0, open.size() - 1)) {
                if (jump.getSocket() != null) {
                    jump.getSocket().setSoTimeout(0);
                }
            }
            return new Connected(ssh, List.copyOf(open.subList(0, open.size() - 1)), route.node().user(),
                    recorded.isEmpty() ? null : String.join("\n", recorded), hostKeyLine, describe(node, route));
        } catch (IOException e) {
            closeAll(open);
            throw new TransportException("Unable to connect to " + describe(node, route) + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(open);
            throw e;
        }
    }

    /** A failure at a jump host says nothing about the node: it is its own kind, whatever the hop's cause. */
    private static TransportException onTheWay(TransportException e, boolean last) {
        if (last || e.kind() == TransportException.Kind.LOCAL) {
            return e;
        }
        return new TransportException(TransportException.Kind.JUMP, e.getMessage(), e.getCause());
    }

    private static void closeAll(List<SSHClient> open) {
        for (int i = open.size() - 1; i >= 0; i--) {
            ShellIo.closeQuietly(open.get(i));
        }
    }

    private static SSHClient newClient(ShellOptions options) {
        SSHClient ssh = new SSHClient(config());
        ssh.setSocketFactory(NO_DELAY);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
        ssh.setConnectTimeout(timeoutMs);
        // reads time out too until authenticated: a port that accepts but never speaks SSH must not hang us
        ssh.setTimeout(timeoutMs);
        ssh.getTransport().setTimeoutMs(timeoutMs);
        ssh.getConnection().setTimeoutMs(timeoutMs);
        return ssh;
    }

    private static KnownHostsVerifier verifier(SshRoute.Hop hop, String where) {
        try {
            return new KnownHostsVerifier(hop.knownHosts(), hop.acceptNew());
        } catch (IOException e) {
            throw new TransportException(TransportException.Kind.LOCAL, "Unable to read known hosts file "
                    + hop.knownHosts() + " for " + where + ": " + e, e);
        }
    }

    /**
     * Public key authentication: the agent's keys (only those matching the named key files with IdentitiesOnly),
     * then the key files that need no passphrase. A key file protected by a passphrase is never prompted for: it
     * works through the agent, or the message says to add it there.
     */
    private static void authenticate(SSHClient ssh, SshRoute.Hop hop, String where, SshAgent agent,
                                     List<SshAgent.Identity> agentKeys, boolean last) {
        List<AuthMethod> methods = new ArrayList<>();
        List<String> tried = new ArrayList<>();
        Set<String> namedBlobs = new HashSet<>();
        for (Path key : hop.identityFiles()) {
            publicBlob(key).ifPresent(namedBlobs::add);
        }
        // as ssh orders them: the agent's copies of the named keys, the named key files, then (unless IdentitiesOnly)
        // the agent's other keys; a server counts every offer against MaxAuthTries
        List<AuthMethod> otherAgentKeys = new ArrayList<>();
        List<String> otherTried = new ArrayList<>();
        for (SshAgent.Identity id : agentKeys) {
            String blob = Base64.getEncoder().encodeToString(id.blob());
            String shown = "agent key " + (id.comment().isBlank() ? id.type() : id.comment());
            if (namedBlobs.contains(blob)) {
                methods.add(new AgentAuth(agent, id));
                tried.add(shown);
            } else if (!hop.identitiesOnly()) {
                otherAgentKeys.add(new AgentAuth(agent, id));
                otherTried.add(shown);
            }
        }
        Set<String> agentBlobs = new HashSet<>();
        agentKeys.forEach(id -> agentBlobs.add(Base64.getEncoder().encodeToString(id.blob())));
        List<Path> locked = new ArrayList<>();
        for (Path key : hop.identityFiles()) {
            if (publicBlob(key).map(agentBlobs::contains).orElse(false)) {
                continue; // offered through the agent already
            }
            if (!Files.isReadable(key)) {
                if (hop.explicitKeys()) {
                    throw new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where
                            + ": identity file " + key + (Files.exists(key) ? " is not readable" : " does not exist")
                            + ". Fix ssh.identityFile (or IdentityFile in the SSH configuration) or create the key.",
                            null);
                }
                continue;
            }
            AskedForPassphrase asked = new AskedForPassphrase();
            try {
                KeyProvider provider = ssh.loadKeys(key.toString(), asked);
                provider.getPrivate();
                methods.add(new AuthPublickey(provider));
                tried.add("key " + key);
            } catch (IOException | RuntimeException e) {
                if (asked.asked) {
                    locked.add(key);
                } else {
                    throw new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where
                            + ": the key file " + key + " cannot be read as a private key (" + e.getMessage()
                            + "). Fix or replace the key file.", e);
                }
            }
        }
        methods.addAll(otherAgentKeys);
        tried.addAll(otherTried);
        if (methods.isEmpty()) {
            String why = !locked.isEmpty() ? "the key " + join(locked) + " is protected by a passphrase and no"
                    + " ssh-agent holds it; add it to your agent (ssh-add " + join(locked) + ") with SSH_AUTH_SOCK set"
                    + " for pgrds, which never prompts for a passphrase"
                    : agent != null && hop.identitiesOnly() ? "IdentitiesOnly is set and the agent holds none of the"
                    + " named keys (" + join(hop.identityFiles()) + ")"
                    : "no private key found (" + (hop.identityFiles().isEmpty() ? "no usual key under ~/.ssh"
                    : join(hop.identityFiles())) + (agent == null ? ", and no ssh-agent: SSH_AUTH_SOCK is not set"
                    : ", and the ssh-agent holds no key") + "). Set ssh.identityFile, add a key to your agent, or"
                    + " create one with ssh-keygen";
            closeQuietly(ssh);
            throw new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where + ": "
                    + why + ".", null);
        }
        try {
            ssh.auth(hop.user(), methods);
        } catch (IOException e) {
            closeQuietly(ssh);
            String lockedNote = locked.isEmpty() ? "" : " (not tried: " + join(locked) + ", protected by a passphrase"
                    + " and not in the agent: ssh-add it)";
            TransportException.Kind kind = last ? TransportException.Kind.AUTHENTICATION : TransportException.Kind.JUMP;
            throw new TransportException(kind, "Unable to connect to " + where + ": authentication as "
                    + hop.user() + " failed with " + String.join(", ", tried) + lockedNote + " ("
                    + e.getMessage() + "). Check that its public key is in " + hop.user() + "'s authorized_keys on "
                    + (last ? "the node" : "the jump host") + " and that the key file is the right one.", e);
        }
    }

    private static String join(List<Path> keys) {
        return String.join(" ", keys.stream().map(Path::toString).toList());
    }

    private static void closeQuietly(SSHClient ssh) {
        ShellIo.closeQuietly(ssh);
    }

    /** The base64 key of {@code key}.pub (what the agent lists for it), if there is one. */
    private static Optional<String> publicBlob(Path key) {
        Path pub = key.resolveSibling(key.getFileName() + ".pub");
        try {
            if (!Files.isReadable(pub)) {
                return Optional.empty();
            }
            String[] parts = Files.readString(pub).strip().split("\\s+");
            return parts.length >= 2 ? Optional.of(parts[1]) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Answers every passphrase request with none, and remembers that one was made. */
    private static final class AskedForPassphrase implements PasswordFinder {
        volatile boolean asked;

        @Override
        public char[] reqPassword(Resource<?> resource) {
            asked = true;
            return null;
        }

        @Override
        public boolean shouldRetry(Resource<?> resource) {
            return false;
        }
    }

    /** The node as reached: user and port after the SSH configuration, and the jump hosts on the way. */
    static String describe(Target node, SshRoute route) {
        SshRoute.Hop hop = route.node();
        String via = route.jumps().isEmpty() ? "" : " via " + SshRoute.describe(route.jumps());
        return hop.user() + "@" + node.host() + ":" + hop.port() + via;
    }

    static synchronized Config config() {
        if (sharedConfig == null) {
            sharedConfig = new DefaultConfig();
        }
        return sharedConfig;
    }

    private static TransportException connectFailure(SshRoute.Hop hop, String where, String named,
                                                     KnownHostsVerifier verifier, ShellOptions options, IOException e) {
        KnownHostsVerifier.Rejection rejection = verifier.rejection();
        if (rejection != null) {
            return new TransportException(TransportException.Kind.LOCAL, hostKeyMessage(where, named,
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
            reason = "connection refused (is sshd running and listening on " + hop.hostName() + " port "
                    + hop.port() + "?)";
        } else if (e instanceof java.net.SocketException && String.valueOf(e.getMessage()).contains(
                "Network is unreachable")) {
            kind = TransportException.Kind.LOCAL;
            reason = "this machine has no route to " + hop.hostName() + " (Network is unreachable: check this "
                    + "machine's network, VPN and routes; the node itself may be fine)";
        } else if (e instanceof UnknownHostException) {
            kind = TransportException.Kind.LOCAL;
            reason = "unknown host " + hop.hostName() + " (check the name in the cluster file and DNS)";
        } else if (e instanceof SSHException ssh && ssh.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
            kind = TransportException.Kind.LOCAL;
            reason = "the host key could not be verified (" + e.getMessage() + ")";
        } else {
            reason = String.valueOf(e.getMessage());
        }
        return new TransportException(kind, "Unable to connect to " + where + ": " + reason, e);
    }

    static String hostKeyMessage(String where, String named, Path file, KnownHostsVerifier.Rejection r) {
        String presented = r.keyType() + " key " + r.fingerprint();
        if (r.verdict() == KnownHostsVerifier.Verdict.UNKNOWN) {
            return "Unable to connect to " + where + ": its host key is unknown. The server presented the "
                    + presented + ", which " + file + " does not list for " + r.hostEntry() + ". Check the"
                    + " fingerprint with the server's administrator (on the server: ssh-keygen -lf"
                    + " /etc/ssh/ssh_host_" + r.keyType().replace("ssh-", "").replaceAll("-.*", "")
                    + "_key.pub), then run again with --accept-new-host-keys to record it.";
        }
        return "REFUSING to connect to " + named + ": the host key for "
                + r.hostEntry() + " has changed! The server presented the " + presented + ", but " + file
                + " records " + String.join(", ", r.known()) + ". This is a possible man-in-the-middle attack"
                + " (or the server was reinstalled). --accept-new-host-keys never accepts a changed key:"
                + " remove the old key from " + file + " if the change is expected (ssh-keygen -R '"
                + r.hostEntry() + "' -f " + file + "), then run again with --accept-new-host-keys.";
    }

}
