package io.pgrds.transport;

import io.pgrds.util.ShellQuote;
import io.pgrds.transport.target.Become;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Pieces both shells share: how a command becomes the postgres user's, and how commands are named in messages. */
final class Commands {
    /** The OS user PostgreSQL runs as. */
    static final String POSTGRES = "postgres";

    private static final int MAX_SHOWN = 300;

    private Commands() {
    }

    /**
     * The argv that runs {@code argv} as the postgres OS user. Both {@code sudo} and {@code runuser} run the
     * program directly (no shell in between), so the arguments arrive unchanged.
     */
    static List<String> asPostgres(Become become, List<String> argv) {
        List<String> prefix = switch (become) {
            case SUDO -> List.of("sudo", "-n", "-u", POSTGRES, "--");
            case RUNUSER -> List.of("runuser", "-u", POSTGRES, "--");
            case NONE -> List.of();
        };
        List<String> all = new ArrayList<>(prefix);
        all.addAll(argv);
        return List.copyOf(all);
    }

    /** The argv that actually runs for {@code exec}. */
    static List<String> effectiveArgv(Become become, NodeShell.Exec exec) {
        return exec.asPostgres() ? asPostgres(become, exec.argv()) : exec.argv();
    }

    /** A command for a message: its quoted command line, shortened when long. */
    static String show(List<String> argv) {
        String line = ShellQuote.display(argv);
        return line.length() <= MAX_SHOWN ? line : line.substring(0, MAX_SHOWN) + "…";
    }

    /** {@code 90s}, {@code 1.5s}, {@code 250ms}: a duration as people write it. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }

    /** The octal form of a file mode, as {@code chmod} takes it: {@code 0600}. */
    static String octal(int mode) {
        if (mode < 0 || mode > 0777) {
            throw new IllegalArgumentException("file mode must be between 0000 and 0777, got 0"
                    + Integer.toOctalString(mode));
        }
        return String.format(java.util.Locale.ROOT, "%04o", mode);
    }

    /**
     * A POSIX {@code sh} script that atomically replaces a file with its standard input: a temporary file in
     * the same directory (private until renamed), then owner and mode, then a rename over the target. The
     * path, mode and owner arrive as positional parameters, never as script text. The file's group is the
     * owner's primary group ({@code chown user:}).
     */
    static List<String> writeFileArgv(String path, int mode, String owner) {
        String script = String.join("\n",
                "set -eu",
                "path=$1 mode=$2 owner=$3",
                "umask 077",
                "dir=$(dirname -- \"$path\")",
                "tmp=$(mktemp -- \"$dir/.pgrds-write.XXXXXXXX\")",
                "trap 'rm -f -- \"$tmp\"' EXIT",
                "cat > \"$tmp\"",
                "chown -- \"$owner:\" \"$tmp\"",
                "chmod -- \"$mode\" \"$tmp\"",
                "sync -- \"$tmp\" 2>/dev/null || :",
                "mv -f -- \"$tmp\" \"$path\"",
                "trap - EXIT");
        return List.of("sh", "-c", script, "pgrds-write-file", path, octal(mode), owner);
    }

    /**
     * Writes a file on {@code shell} with {@link #writeFileArgv}, for a shell that cannot write it itself (a file
     * given to another user); a failure is a {@link TransportException} with what the script said.
     */
    static void writeFileByScript(NodeShell shell, String path, byte[] content, String owner, int mode,
                                  boolean asPostgres, Duration timeout) {
        NodeShell.ExecResult result = shell.exec(new NodeShell.Exec(writeFileArgv(path, mode, owner), asPostgres,
                content, timeout));
        if (!result.ok()) {
            throw new TransportException("writing " + path + " (owner " + owner + ", mode " + octal(mode)
                    + ") on " + shell.describe() + " failed: " + result.stderr().strip());
        }
    }
}
