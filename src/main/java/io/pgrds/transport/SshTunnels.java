package io.pgrds.transport;

import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.LocalPortForwarder;
import net.schmizz.sshj.connection.channel.direct.Parameters;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The local port forwards of one {@link SshNodeShell}: one listener per target, on 127.0.0.1 and a free port,
 * kept until the shell closes. Not thread-safe by itself: the shell calls it under its own lock.
 */
final class SshTunnels {
    /** How long closing waits for tunnelled connections that just ended to finish closing their channels. */
    private static final Duration TUNNEL_DRAIN = Duration.ofSeconds(2);

    private final SSHClient ssh;
    private final String description;
    private final Map<NodeShell.Endpoint, Forward> tunnels = new HashMap<>();

    SshTunnels(SSHClient ssh, String description) {
        this.ssh = ssh;
        this.description = description;
    }

    /** See {@link SshNodeShell#tunnel}. */
    NodeShell.Endpoint open(String host, int port) {
        NodeShell.Endpoint target = new NodeShell.Endpoint(host, port);
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
            Forward forward = new Forward(new NodeShell.Endpoint(localHost, socket.getLocalPort()), forwarder, socket);
            tunnels.put(target, forward);
            return forward.local;
        } catch (IOException e) {
            throw new TransportException("Unable to open a tunnel to " + host + ":" + port + " through "
                    + description + ": " + e.getMessage(), e);
        }
    }

    /** Stops every listener and waits, briefly, for the connections through them to finish closing. */
    void close() {
        for (Forward forward : tunnels.values()) {
            try {
                forward.forwarder.close();
            } catch (IOException e) {
                // closing anyway
            }
            ShellIo.closeQuietly(forward.socket);
        }
        awaitTunnelledConnectionsClosed();
        tunnels.clear();
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

    private record Forward(NodeShell.Endpoint local, LocalPortForwarder forwarder, NoDelayServerSocket socket) {
    }

    /** A tunnel's listener; its client connections skip Nagle's algorithm, like the SSH connection (SQL is chatty). */
    private static final class NoDelayServerSocket extends ServerSocket {
        /** Every connection accepted, so that closing the shell can wait for them to end. */
        final List<Socket> accepted = new CopyOnWriteArrayList<>();

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
                out = new FilterOutputStream(socketOut) {
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
}
