package io.pgrds.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback that delays every chunk by a fixed time in each direction: a server {@code 2 × delay}
 * of round trip away, without touching anything but this process. Put it in front of a node's sshd and point
 * the node's SSH port at {@link #port()} (the known_hosts entry is then {@code [address]:proxyPort}).
 *
 * <p>Each direction is a delay line, not a sleep per chunk: a reader stamps each chunk with its due time and a
 * writer sends it when due, so data in flight overlaps as on a real long link and throughput is not cut.
 * Threads are daemons; {@link #close()} closes the listener and every connection.
 */
public final class LatencyProxy implements AutoCloseable {
    private static final byte[] EOF = new byte[0];

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final long delayNanos;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger roundTrips = new AtomicInteger();
    private volatile boolean closed;

    private record Chunk(long due, byte[] bytes) {
    }

    private LatencyProxy(ServerSocket listener, InetSocketAddress target, Duration oneWay) {
        this.listener = listener;
        this.target = target;
        this.delayNanos = oneWay.toNanos();
    }

    /**
     * Listens on {@code address} (a free port) and forwards to {@code target}, delaying each direction by
     * {@code oneWay}.
     */
    public static LatencyProxy start(String address, InetSocketAddress target, Duration oneWay) {
        try {
            ServerSocket listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getByName(address), 0), 64);
            LatencyProxy proxy = new LatencyProxy(listener, target, oneWay);
            daemon("latency-proxy accept " + address + ":" + listener.getLocalPort(), proxy::acceptLoop);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("unable to start a latency proxy on " + address, e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** How many connections are open through the proxy now. */
    public int openConnections() {
        return sockets.size() / 2;
    }

    /** How many connections the proxy has accepted. */
    public int connections() {
        return connections.get();
    }

    /**
     * How many times, over all connections, the server answered after the client had sent: each is one round
     * trip the client waited for (messages sent back to back without waiting count once).
     */
    public int roundTrips() {
        return roundTrips.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.incrementAndGet();
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(target, 5_000);
            } catch (IOException e) {
                quietly(client);
                quietly(server);
                continue;
            }
            sockets.add(client);
            sockets.add(server);
            AtomicInteger lastSender = new AtomicInteger(); // 0 nobody yet, 1 the client, 2 the server
            pipe(client, server, "up", () -> lastSender.set(1));
            pipe(server, client, "down", () -> {
                if (lastSender.getAndSet(2) == 1) {
                    roundTrips.incrementAndGet();
                }
            });
        }
    }

    /** One direction: a reader that stamps chunks, a writer that sends each when it is due. */
    private void pipe(Socket from, Socket to, String direction, Runnable onChunk) {
        BlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
        String name = "latency-proxy " + direction + " " + from.getPort();
        daemon(name + " read", () -> {
            byte[] buffer = new byte[32 * 1024];
            try (InputStream in = from.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    onChunk.run();
                    line.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException e) {
                // the other side or close() ended it
            }
            line.add(new Chunk(System.nanoTime() + delayNanos, EOF));
        });
        daemon(name + " write", () -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = line.take();
                    long wait = c.due() - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    if (c.bytes() == EOF) {
                        to.shutdownOutput();
                        closeWhenBothEnded(from, to);
                        return;
                    }
                    out.write(c.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                quietly(from);
                quietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        });
    }

    /** Both directions have passed on their end of stream: the connection is over. */
    private void closeWhenBothEnded(Socket a, Socket b) {
        if (a.isOutputShutdown() && b.isOutputShutdown()) {
            quietly(a);
            quietly(b);
            sockets.remove(a);
            sockets.remove(b);
        }
    }

    @Override
    public void close() {
        closed = true;
        quietly(listener);
        sockets.forEach(LatencyProxy::quietly);
        sockets.clear();
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    private static void quietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
