package io.pgrds.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One real OpenSSH sshd for one test node, on the node's own address, with its own config and host key. */
final class Sshd {
    static final Path BINARY = Path.of(System.getProperty("pgrds.it.sshd", "/usr/sbin/sshd"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final String address;
    private final int port;
    private final Path dir;
    private Process process;
    /** When set, sshd runs in its own mount namespace in which this file is /etc/hosts (names only it resolves). */
    private Path hostsFile;
    /** Further bind mounts of that namespace: source on this machine, then where it shows (a fake systemd). */
    private final List<String> binds = new java.util.ArrayList<>();

    Sshd(String address, int port, Path dir) {
        this.address = address;
        this.port = port;
        this.dir = dir;
    }

    Path hostKey() {
        return dir.resolve("ssh_host_ed25519_key");
    }

    Path config() {
        return dir.resolve("sshd_config");
    }

    Path log() {
        return dir.resolve("sshd.log");
    }

    Path authorizedKeys() {
        return dir.resolve("authorized_keys");
    }

    /** Writes host key, authorized_keys and config. Returns the public host key line (type and base64). */
    String prepare(String clientPublicKey) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            String hostPublic = Keys.generate(hostKey(), "pgrds-it host " + address);
            Files.writeString(authorizedKeys(), clientPublicKey + "\n");
            Files.writeString(config(), String.join("\n",
                    "# sshd for one pgrds test node",
                    "ListenAddress " + address + ":" + port,
                    "HostKey " + hostKey(),
                    "PidFile " + dir.resolve("sshd.pid"),
                    // the harness key for every user, and users' own files (postgres to postgres, as pgBackRest
                    // does for backups from a standby)
                    "AuthorizedKeysFile " + authorizedKeys() + " .ssh/authorized_keys",
                    "AuthenticationMethods publickey",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "StrictModes no",
                    // as on a stock Debian server: with PAM, a locked password (postgres has "!") does not forbid
                    // key logins, which pgBackRest needs for backups from a standby
                    "UsePAM yes",
                    "UseDNS no",
                    "PrintMotd no",
                    "PrintLastLog no",
                    "AllowTcpForwarding yes",
                    // pgrds runs the commands of one run in parallel over one connection, one channel each
                    "MaxSessions 64",
                    "MaxStartups 64",
                    "LoginGraceTime 20",
                    "LogLevel VERBOSE",
                    // bash reads ~/.bashrc for SSH commands unless it looks nested; this machine's root .bashrc
                    // runs pyenv init (100 ms and, run concurrently, stray stderr) on every command
                    "SetEnv SHLVL=1",
                    "") + "\n");
            return hostPublic;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces the host key with a new one (the config names the same file); returns the new public key line. */
    String newHostKey() {
        try {
            Files.deleteIfExists(hostKey());
            Files.deleteIfExists(hostKey().resolveSibling(hostKey().getFileName() + ".pub"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Keys.generate(hostKey(), "pgrds-it host " + address + " (rotated)");
    }

    /** Starts sshd without waiting for its port. */
    synchronized void launch() {
        if (running()) {
            return;
        }
        try {
            Files.createDirectories(Path.of("/run/sshd"));
            List<String> argv = new java.util.ArrayList<>();
            List<String> mounts = new java.util.ArrayList<>(binds);
            if (hostsFile != null) {
                mounts.addAll(List.of(hostsFile.toString(), "/etc/hosts"));
            }
            if (!mounts.isEmpty()) {
                argv.addAll(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                        "while [ \"$1\" != -- ]; do mount --bind \"$1\" \"$2\" || exit; shift 2; done; shift; "
                                + "exec \"$@\"", "sh"));
                argv.addAll(mounts);
                argv.add("--");
            }
            argv.addAll(List.of(BINARY.toString(), "-D", "-e", "-f", config().toString()));
            process = new ProcessBuilder(argv)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            Cleanup.register(process);
        } catch (IOException e) {
            throw new UncheckedIOException("unable to start " + BINARY, e);
        }
    }

    /** Waits until sshd accepts connections on its port; fails with its log if it died or took too long. */
    void awaitListening() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException("sshd on " + address + ":" + port + " exited at start:\n" + logTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 100);
                return;
            } catch (IOException e) {
                sleep(5);
            }
        }
        throw new IllegalStateException("sshd on " + address + ":" + port + " did not listen within "
                + START_TIMEOUT + ":\n" + logTail());
    }

    void start() {
        launch();
        awaitListening();
    }

    /** From the next start on, sshd (and every connection it forwards) resolves names with {@code hosts}. */
    synchronized void useHostsFile(Path hosts) {
        this.hostsFile = hosts;
    }

    /** From the next start on, {@code source} shows at {@code target} for sshd and every session it serves. */
    synchronized void bind(Path source, String target) {
        binds.addAll(List.of(source.toString(), target));
    }

    synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Stops sshd and every connection it serves; waits until the port is closed. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        Cleanup.killTree(process);
        Cleanup.unregister(process);
        process = null;
    }

    String logTail() {
        return Cleanup.tail(log(), 40);
    }

    private static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "sshd " + address + ":" + port;
    }

    static List<String> requiredBinaries() {
        return List.of(BINARY.toString());
    }
}
