package io.pgrds.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands out loopback addresses 127.0.0.x so that test classes running at the same time (in this JVM, in
 * another fork, or in another worktree's build) never share one. An address is held by an exclusive lock on
 * {@code /tmp/pgrds-it-locks/127.0.0.x.lock} until it is released or the JVM dies (the kernel drops the
 * lock with the process). An address where something already listens on one of the wanted ports is
 * skipped even when unlocked, in case another tool uses it without the lock.
 */
final class AddressPool {
    static final Path LOCK_DIR = Path.of(System.getProperty("java.io.tmpdir"), "pgrds-it-locks");

    /** One leased address. */
    static final class Lease implements AutoCloseable {
        final String address;
        private final FileChannel channel;
        private final FileLock lock;

        private Lease(String address, FileChannel channel, FileLock lock) {
            this.address = address;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // the lock goes with the channel or the process anyway
            }
        }
    }

    private AddressPool() {
    }

    /**
     * Leases {@code count} addresses from 127.0.0.{@code first} to 127.0.0.{@code last}, each free on every
     * port in {@code ports}.
     */
    static List<Lease> lease(int count, int first, int last, int... ports) {
        if (first < 2 || last > 254 || first > last) {
            throw new IllegalArgumentException("address range must lie within 127.0.0.2-127.0.0.254: "
                    + first + "-" + last);
        }
        try {
            Files.createDirectories(LOCK_DIR);
            Files.setPosixFilePermissions(LOCK_DIR, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Lease> leases = new ArrayList<>();
        for (int octet = first; octet <= last && leases.size() < count; octet++) {
            String address = "127.0.0." + octet;
            Lease lease = tryLock(address);
            if (lease == null) {
                continue;
            }
            if (anyListening(address, ports)) {
                lease.close();
                continue;
            }
            leases.add(lease);
        }
        if (leases.size() < count) {
            leases.forEach(Lease::close);
            throw new IllegalStateException("only " + leases.size() + " of " + count + " free loopback addresses in"
                    + " 127.0.0." + first + "-127.0.0." + last + " (locks in " + LOCK_DIR + "); widen the range with"
                    + " -D" + TestHosts.ADDRESSES_PROPERTY + "=FIRST-LAST or stop the other test runs");
        }
        return leases;
    }

    private static Lease tryLock(String address) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(LOCK_DIR.resolve(address + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return null;
            }
            return new Lease(address, channel, lock);
        } catch (OverlappingFileLockException e) {
            // held by another test class in this JVM
            closeQuietly(channel);
            return null;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException(e);
        }
    }

    private static boolean anyListening(String address, int... ports) {
        for (int port : ports) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 200);
                return true;
            } catch (IOException e) {
                // refused: free
            }
        }
        return false;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }
    }
}
