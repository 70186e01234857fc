package io.pgrds.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadFactory;

/** The plumbing both shells run a command with: its input fed from a thread of their own, deadlines, output text. */
final class ShellIo {
    private ShellIo() {
    }

    /** Daemon threads named {@code name}: a shell's reader and feeder threads never keep the JVM alive. */
    static ThreadFactory daemonThreads(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Writes a command's whole standard input, then closes it. */
    static Void feed(OutputStream out, byte[] stdin) {
        try (out) {
            out.write(stdin);
            // sshj's close() sends what is still buffered only if the server's window has room, and drops it
            // otherwise; flush() waits for the room (a process's input it flushes a moment early, no more)
            out.flush();
        } catch (IOException e) {
            // the command exited or closed its input without reading all of it; its exit status tells
        }
        return null;
    }

    /** Nanoseconds left until {@code deadline} (a {@link System#nanoTime()}), never negative. */
    static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing more to do with it
        }
    }
}
