package io.pgrds.transport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of a running ssh-agent (OpenSSH's agent protocol over its Unix socket, {@code SSH_AUTH_SOCK}): it lists
 * the agent's keys and has the agent sign, so keys protected by a passphrase work without pgrds ever seeing the key
 * or prompting. One short connection per request; the agent serves many.
 */
final class SshAgent {
    private static final byte FAILURE = 5;
    private static final byte REQUEST_IDENTITIES = 11;
    private static final byte IDENTITIES_ANSWER = 12;
    private static final byte SIGN_REQUEST = 13;
    private static final byte SIGN_RESPONSE = 14;
    /** Sign flags for RSA keys: SHA-256 and SHA-512 signatures (ssh-rsa with SHA-1 is refused by current servers). */
    static final int RSA_SHA2_256 = 2;
    static final int RSA_SHA2_512 = 4;
    private static final int MAX_MESSAGE = 256 * 1024;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** One key the agent holds: its public key blob (SSH wire format) and comment. */
    record Identity(byte[] blob, String comment) {
        /** The key type the blob names ({@code ssh-ed25519}, {@code ssh-rsa} …). */
        String type() {
            return readString(ByteBuffer.wrap(blob), "key blob");
        }
    }

    private final Path socket;

    private SshAgent(Path socket) {
        this.socket = socket;
    }

    Path socket() {
        return socket;
    }

    /**
     * The agent at {@code socket}.
     *
     * @throws TransportException (LOCAL) when the path is missing or not a socket, naming it and the next step
     */
    static SshAgent at(Path socket) {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && !Files.exists(socket)) {
            throw notAnAgent(socket, "does not exist");
        }
        try {
            Object mode = Files.getAttribute(socket, "unix:mode");
            if (mode instanceof Integer m && (m & S_IFMT) != S_IFSOCK) {
                throw notAnAgent(socket, "is not a socket");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // no unix attributes here: connecting tells
        }
        return new SshAgent(socket);
    }

    private static TransportException notAnAgent(Path socket, String what) {
        return new TransportException(TransportException.Kind.LOCAL, "The ssh-agent socket " + socket
                + " (SSH_AUTH_SOCK) " + what + ". Start an agent (eval \"$(ssh-agent)\" and ssh-add), or unset"
                + " SSH_AUTH_SOCK to use key files only.", null);
    }

    /** The keys the agent holds, in its order. */
    List<Identity> identities() {
        ByteBuffer answer = exchange(new byte[]{REQUEST_IDENTITIES}, "list its keys");
        byte type = answer.get();
        if (type != IDENTITIES_ANSWER) {
            throw refused("list its keys", type);
        }
        if (answer.remaining() < 4) {
            throw malformed("list its keys");
        }
        int count = answer.getInt();
        if (count < 0 || count > 1024) {
            throw malformed("list its keys");
        }
        List<Identity> ids = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                byte[] blob = readBytes(answer, "key blob");
                String comment = readString(answer, "key comment");
                ids.add(new Identity(blob, comment));
                ids.get(i).type();
            }
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw malformed("list its keys");
        }
        return ids;
    }

    /** The agent's signature of {@code data} with the key {@code blob}: the SSH signature blob (algorithm, bytes). */
    byte[] sign(byte[] blob, byte[] data, int flags) {
        ByteBuffer req = ByteBuffer.allocate(1 + 4 + blob.length + 4 + data.length + 4);
        req.put(SIGN_REQUEST).putInt(blob.length).put(blob).putInt(data.length).put(data).putInt(flags);
        ByteBuffer answer = exchange(req.array(), "sign");
        byte type = answer.get();
        if (type != SIGN_RESPONSE) {
            throw refused("sign", type);
        }
        try {
            return readBytes(answer, "signature");
        } catch (IllegalArgumentException e) {
            throw malformed("sign");
        }
    }

    /** How long the agent may take to answer (it may be asking its user to confirm, ssh-add -c). */
    static final long ANSWER_SECONDS = 10;
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pgrds-ssh-agent-watchdog");
                t.setDaemon(true);
                return t;
            });

    private ByteBuffer exchange(byte[] message, String what) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // a Unix socket has no read timeout: an agent that never answers is cut off by closing the channel
            java.util.concurrent.ScheduledFuture<?> cut = WATCHDOG.schedule(() -> {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing is all there is to do
                }
            }, ANSWER_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            try {
                return exchange(ch, message, what);
            } finally {
                cut.cancel(false);
            }
        } catch (IOException e) {
            throw new TransportException(TransportException.Kind.LOCAL, "The ssh-agent at " + socket
                    + " (SSH_AUTH_SOCK) did not answer when asked to " + what + " within " + ANSWER_SECONDS + " s ("
                    + e.getMessage() + "). Check that the agent runs (ssh-add -l), or unset SSH_AUTH_SOCK to use key "
                    + "files only.", e);
        }
    }

    private ByteBuffer exchange(SocketChannel ch, byte[] message, String what) throws IOException {
        ch.connect(UnixDomainSocketAddress.of(socket));
        ByteBuffer out = ByteBuffer.allocate(4 + message.length).putInt(message.length).put(message).flip();
        while (out.hasRemaining()) {
            ch.write(out);
        }
        ByteBuffer len = readFully(ch, 4, what);
        int n = len.getInt();
        if (n <= 0 || n > MAX_MESSAGE) {
            throw malformed(what);
        }
        return readFully(ch, n, what);
    }

    private ByteBuffer readFully(SocketChannel ch, int n, String what) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("the agent closed the connection");
            }
        }
        return b.flip();
    }

    private TransportException refused(String what, byte type) {
        return new TransportException(TransportException.Kind.LOCAL, "The ssh-agent at " + socket
                + " refused to " + what + (type == FAILURE ? "" : " (answer type " + type + ")")
                + ". If the agent asks for confirmation (ssh-add -c) or is locked (ssh-add -x), unlock it;"
                + " pgrds cannot answer a prompt.", null);
    }

    private TransportException malformed(String what) {
        return new TransportException(TransportException.Kind.LOCAL, "The ssh-agent at " + socket
                + " sent a malformed answer when asked to " + what + ". Is SSH_AUTH_SOCK an OpenSSH agent?", null);
    }

    private static byte[] readBytes(ByteBuffer b, String what) {
        if (b.remaining() < 4) {
            throw new IllegalArgumentException("truncated " + what);
        }
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("truncated " + what);
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static String readString(ByteBuffer b, String what) {
        return new String(readBytes(b, what), StandardCharsets.UTF_8);
    }
}
