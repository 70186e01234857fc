package io.pgrds.transport;

import io.pgrds.transport.target.Become;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A {@link NodeShell} for this machine: programs are started directly from their argv (no shell), so no
 * quoting is involved. Commands run in {@code /}, like {@link SshNodeShell}'s, so no command depends on whose
 * home directory it started in.
 *
 * <p>A program that cannot be started ends like it would under a shell: exit status 127 (not found) or 126
 * (not executable), with the reason on stderr. A command that outlives its timeout is killed with all its
 * descendants, and {@link #exec} throws a {@link TransportException} saying so.
 *
 * <p>stdout and stderr go to private temporary files (in {@code /dev/shm} where it exists) that are read when
 * the command exits: no pipe can fill up, and a background process the command leaves behind with its output
 * (a server started without a log file) does not keep {@link #exec} waiting; what it writes later is lost.
 * Over SSH such a command waits until its timeout, because the session ends only when its output is closed.
 */
public final class LocalNodeShell implements NodeShell {
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    /** Reads NUL-terminated UTF-8 arguments from the file named by $1, deletes it, and runs them. */
    private static final String ARGV_FROM_FILE =
            "mapfile -d '' -t argv < \"$1\" && rm -f -- \"$1\" && exec \"${argv[@]}\"";

    /** Output goes to files here: memory (tmpfs) where the system has it, so no secret a command prints lands on disk. */
    private static final Path OUTPUT_DIRECTORY = Files.isDirectory(Path.of("/dev/shm"))
            && Files.isWritable(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));

    private final Become become;
    private final Duration defaultTimeout;
    private final Charset argvCharset;
    private final ExecutorService io;
    private volatile boolean closed;

    /**
     * @param become         how commands marked {@code asPostgres} become the postgres user
     * @param defaultTimeout for commands that name no timeout, and for file writes
     */
    public LocalNodeShell(Become become, Duration defaultTimeout) {
        this(become, defaultTimeout, jnuCharset());
    }

    /**
     * @param argvCharset the charset Java encodes program arguments in; arguments it cannot encode take a detour
     *                    so that they arrive unchanged (as UTF-8)
     */
    LocalNodeShell(Become become, Duration defaultTimeout, Charset argvCharset) {
        this.become = Objects.requireNonNull(become, "become");
        this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        this.argvCharset = Objects.requireNonNull(argvCharset, "argvCharset");
        this.io = Executors.newCachedThreadPool(ShellIo.daemonThreads("pgrds-local-io"));
    }

    @Override
    public ExecResult exec(Exec exec) {
        ensureOpen();
        List<String> argv = Commands.effectiveArgv(become, exec);
        if (argv.isEmpty() || argv.stream().anyMatch(arg -> arg.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("a command needs a program name and no argument can contain a NUL"
                    + " character: " + argv);
        }
        Duration timeout = exec.timeout() != null ? exec.timeout() : defaultTimeout;
        long deadline = System.nanoTime() + timeout.toNanos();

        Path argvFile = null;
        Path stdoutFile = null;
        Path stderrFile = null;
        Process process;
        try {
            List<String> launch = argv;
            if (!encodable(argv)) {
                argvFile = argvFile(argv);
                launch = List.of("bash", "-c", ARGV_FROM_FILE, "pgrds-argv", argvFile.toString());
            }
            stdoutFile = Files.createTempFile(OUTPUT_DIRECTORY, "pgrds-stdout-", "");
            stderrFile = Files.createTempFile(OUTPUT_DIRECTORY, "pgrds-stderr-", "");
            process = new ProcessBuilder(launch)
                    .directory(new File("/"))
                    .redirectOutput(stdoutFile.toFile())
                    .redirectError(stderrFile.toFile())
                    .start();
        } catch (IOException e) {
            deleteQuietly(argvFile);
            deleteQuietly(stdoutFile);
            deleteQuietly(stderrFile);
            if (stderrFile == null) {
                throw new TransportException("Unable to run `" + Commands.show(argv) + "` on " + describe()
                        + ": no temporary file for its output in " + OUTPUT_DIRECTORY + " (" + e.getMessage() + ")", e);
            }
            return notStarted(argv, e);
        }
        byte[] stdin = exec.stdin();
        Future<Void> feeder = io.submit(() -> ShellIo.feed(process.getOutputStream(), stdin));
        try {
            if (!process.waitFor(ShellIo.remaining(deadline), TimeUnit.NANOSECONDS)) {
                killTree(process);
                throw new TransportException("command `" + Commands.show(argv) + "` timed out after "
                        + Commands.seconds(timeout) + " on " + describe() + "; it was killed");
            }
            return new ExecResult(process.exitValue(), ShellIo.utf8(Files.readAllBytes(stdoutFile)),
                    ShellIo.utf8(Files.readAllBytes(stderrFile)));
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while running `" + Commands.show(argv) + "` on "
                    + describe() + "; it was killed", e);
        } catch (IOException e) {
            throw new TransportException("reading the output of `" + Commands.show(argv) + "` on "
                    + describe() + " failed: " + e.getMessage(), e);
        } finally {
            feeder.cancel(true);
            deleteQuietly(argvFile);
            deleteQuietly(stdoutFile);
            deleteQuietly(stderrFile);
        }
    }

    @Override
    public void writeFile(String path, byte[] content, String owner, int mode) {
        ensureOpen();
        String octal = Commands.octal(mode);
        Path target = Path.of(path);
        if (!target.isAbsolute()) {
            throw new IllegalArgumentException("a file path on a node must be absolute: " + path);
        }
        boolean root = isRoot();
        if (!root && !owner.equals(currentUser())) {
            // only root may give a file away; another user's file is written as that user
            Commands.writeFileByScript(this, path, content, owner, mode, true, defaultTimeout);
            return;
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".pgrds-", ".tmp");
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (root) {
                int[] ids = uidAndGid(owner);
                Files.setAttribute(tmp, "unix:uid", ids[0]);
                Files.setAttribute(tmp, "unix:gid", ids[1]);
            }
            Files.setPosixFilePermissions(tmp, permissions(mode));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException | RuntimeException e) {
            throw new TransportException("writing " + path + " (owner " + owner + ", mode " + octal + ") on "
                    + describe() + " failed: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed; that error is the one to report
                }
            }
        }
    }

    /** The local transport reaches every address directly. */
    @Override
    public Endpoint tunnel(String host, int port) {
        ensureOpen();
        return new Endpoint(host, port);
    }

    @Override
    public String describe() {
        return "local";
    }

    @Override
    public void close() {
        closed = true;
        io.shutdownNow();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the local shell is closed");
        }
    }

    private int[] uidAndGid(String owner) {
        ExecResult uid = exec(new Exec(List.of("id", "-u", "--", owner), false, null, defaultTimeout));
        ExecResult gid = exec(new Exec(List.of("id", "-g", "--", owner), false, null, defaultTimeout));
        if (!uid.ok() || !gid.ok()) {
            throw new TransportException("no such user on " + describe() + ": " + owner);
        }
        return new int[] {Integer.parseInt(uid.stdout().strip()), Integer.parseInt(gid.stdout().strip())};
    }

    static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    private static String currentUser() {
        return System.getProperty("user.name");
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    /**
     * Java passes arguments to programs in the platform's charset ({@code sun.jnu.encoding}, from the locale):
     * under {@code LANG=C} or no LANG at all (cron, some service managers) that is ASCII, and every other
     * character would arrive as {@code ?}.
     */
    private boolean encodable(List<String> argv) {
        CharsetEncoder encoder = argvCharset.newEncoder();
        return argv.stream().allMatch(encoder::canEncode);
    }

    /** The argv as NUL-terminated UTF-8 strings in a file only the current user can read. */
    private static Path argvFile(List<String> argv) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (String arg : argv) {
            bytes.write(arg.getBytes(StandardCharsets.UTF_8));
            bytes.write(0);
        }
        Path file = Files.createTempFile("pgrds-argv-", ".bin");
        Files.write(file, bytes.toByteArray());
        return file;
    }

    private static Charset jnuCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding"));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file; the script deletes it too
            }
        }
    }

    /** What a shell would report for a program it cannot start. */
    private static ExecResult notStarted(List<String> argv, IOException e) {
        String message = String.valueOf(e.getMessage());
        boolean notFound = message.contains("error=2,");
        return new ExecResult(notFound ? 127 : 126, "",
                argv.get(0) + ": " + (notFound ? "command not found" : message) + "\n");
    }

    private static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
