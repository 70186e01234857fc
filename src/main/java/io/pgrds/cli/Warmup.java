package io.pgrds.cli;

import io.pgrds.transport.Sessions;
import org.slf4j.LoggerFactory;

/**
 * For a command that reaches the nodes: sets up, on a thread of its own, what its first connections will need
 * while the main thread reads the fleet repository and checks the cluster files. Each piece is done once per
 * process whichever thread comes first (the other waits for it), so this changes when, never what: Logback reads
 * its configuration (the SSH library logs through it), sshj builds its algorithms and registers BouncyCastle's
 * provider, PostgreSQL JDBC registers its driver. Together some 200 ms that a {@code pgrds status} otherwise
 * spends after the fleet is read, with a core idle before (docs/performance.md).
 *
 * <p>While it runs, SLF4J hands the main thread stand-in loggers: code that configures Logback itself (casting to
 * its classes, as {@code --debug} does) must not run then; {@link Main} starts none with {@code --debug}.
 */
final class Warmup {
    private Warmup() {
    }

    static void start() {
        // loggers asked for on the main thread while Logback starts here are served by SLF4J's stand-ins, and their
        // calls replayed once it is up, which SLF4J announces on stderr; the CLI's stderr is for its own messages
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        Thread thread = new Thread(Warmup::run, "pgrds-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    private static void run() {
        try {
            LoggerFactory.getILoggerFactory();
            Sessions.prepare();
            Class.forName("org.postgresql.Driver", true, Warmup.class.getClassLoader());
        } catch (RuntimeException | LinkageError | ClassNotFoundException e) {
            // the command meets the same failure where it needs the piece, and reports it there
        }
    }
}
