package io.pgrds.transport;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Host key verification against one OpenSSH known_hosts file, with OpenSSH's {@code accept-new} policy:
 * a host that is not in the file is refused, or recorded when new keys are accepted; a host whose recorded
 * key differs from the one it presents is always refused. A host known only with keys of other types counts
 * as changed, not as new: accepting it silently would let an attacker with a different key type through.
 *
 * <p>sshj does the parsing and matching (plain, hashed and {@code [host]:port} entries); this class decides,
 * appends new entries, and remembers why it refused so the caller can say so.
 */
final class KnownHostsVerifier extends OpenSSHKnownHosts {
    /** Appends from the shells of one run (all nodes connect in parallel) must not interleave. */
    private static final Object APPEND_LOCK = new Object();

    enum Verdict { UNKNOWN, CHANGED }

    /** Why a host key was refused. {@code known} describes the recorded keys (type and fingerprint). */
    record Rejection(Verdict verdict, String hostEntry, String keyType, String fingerprint, List<String> known) {
    }

    private final Path file;
    private final boolean acceptNew;
    private volatile Rejection rejection;
    private volatile String accepted;
    private volatile PublicKey verified;
    private volatile String recordFailure;

    KnownHostsVerifier(Path file, boolean acceptNew) throws IOException {
        super(file.toFile());
        this.file = file;
        this.acceptNew = acceptNew;
    }

    /** Why the last verification failed, or null. */
    Rejection rejection() {
        return rejection;
    }

    /**
     * The host key this verifier accepted (known, or new and recorded) as a known_hosts line for {@code host}
     * and {@code port}, or null before a successful verification.
     */
    String verifiedLine(String host, int port) {
        PublicKey key = verified;
        return key == null ? null : (port == 22 ? host : "[" + host + "]:" + port) + " " + keyType(key) + " "
                + Base64.getEncoder().encodeToString(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    }

    @Override
    public boolean verify(String hostname, int port, PublicKey key) {
        boolean ok = super.verify(hostname, port, key);
        if (ok) {
            verified = key;
        }
        return ok;
    }

    /** The line appended to known_hosts by this verifier, or null. */
    String accepted() {
        return accepted;
    }

    /** Why a new host key, accepted, could not be written to the file, or null. */
    String recordFailure() {
        return recordFailure;
    }

    Path file() {
        return file;
    }

    @Override
    protected boolean hostKeyUnverifiableAction(String hostEntry, PublicKey key) {
        List<String> known = knownKeys(hostEntry);
        if (!known.isEmpty()) {
            rejection = new Rejection(Verdict.CHANGED, hostEntry, keyType(key), fingerprint(key), known);
            return false;
        }
        if (!acceptNew) {
            rejection = new Rejection(Verdict.UNKNOWN, hostEntry, keyType(key), fingerprint(key), List.of());
            return false;
        }
        try {
            accepted = append(hostEntry, key);
            return true;
        } catch (IOException e) {
            recordFailure = "Unable to record the new host key of " + hostEntry + " (" + keyType(key) + " "
                    + fingerprint(key) + ") in " + file + ": " + e;
            return false;
        }
    }

    @Override
    protected boolean hostKeyChangedAction(String hostEntry, PublicKey key) {
        rejection = new Rejection(Verdict.CHANGED, hostEntry, keyType(key), fingerprint(key), knownKeys(hostEntry));
        return false;
    }

    private List<String> knownKeys(String hostEntry) {
        List<String> known = new ArrayList<>();
        for (KnownHostEntry entry : entries()) {
            try {
                if (entry.getType() != KeyType.UNKNOWN && entry.appliesTo(hostEntry)) {
                    known.add(entry.getType() + " " + fingerprintOf(entry));
                }
            } catch (IOException e) {
                // an entry sshj cannot match is no evidence either way
            }
        }
        return known;
    }

    /** The SHA256 fingerprint of an entry's key, read from its line ({@code [marker] hosts type base64 ...}). */
    private static String fingerprintOf(KnownHostEntry entry) {
        String[] fields = entry.getLine().trim().split("\\s+");
        String type = entry.getType().toString();
        for (int i = 0; i + 1 < fields.length; i++) {
            if (fields[i].equals(type)) {
                try {
                    return fingerprint(Base64.getDecoder().decode(fields[i + 1]));
                } catch (IllegalArgumentException e) {
                    break;
                }
            }
        }
        return entry.getFingerprint();
    }

    private String append(String hostEntry, PublicKey key) throws IOException {
        String line = hostEntry + " " + keyType(key) + " "
                + Base64.getEncoder().encodeToString(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
        synchronized (APPEND_LOCK) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                // other pgrds processes (or ssh) may append at the same time
                FileLock lock = channel.lock();
                try {
                    appendLine(channel, line);
                } finally {
                    lock.release();
                }
            }
        }
        return line;
    }

    /** Appends one line, starting a new line first if the file does not end with one. */
    private static void appendLine(FileChannel channel, String line) throws IOException {
        long size = channel.size();
        String text = line + "\n";
        if (size > 0) {
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, size - 1);
            if (last.get(0) != '\n') {
                text = "\n" + text;
            }
        }
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), size);
        channel.force(true);
    }

    static String keyType(PublicKey key) {
        return KeyType.fromKey(key).toString();
    }

    /** The fingerprint as OpenSSH prints it: {@code SHA256:} and the unpadded base64 of the key blob's digest. */
    static String fingerprint(PublicKey key) {
        return fingerprint(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    }

    private static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
