package io.pgrds.util;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one place where an argv becomes a POSIX {@code sh} command line. SSH runs a remote command as a
 * single string through the login user's shell; every argument is wrapped in single quotes, inside which
 * a POSIX shell interprets nothing, and each {@code '} is written as {@code '\''} (close the quote, an
 * escaped quote, reopen). Quoting every argument, even a plain word, also keeps a first word such as
 * {@code if} or {@code A=b} from being read as a keyword or an assignment.
 *
 * <p>An argument cannot contain a NUL character: the kernel cannot pass one to a program.
 */
public final class ShellQuote {
    private ShellQuote() {
    }

    /** One argument, quoted: {@code it's} becomes {@code 'it'\''s'}, the empty string becomes {@code ''}. */
    public static String quote(String arg) {
        if (arg.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a command argument cannot contain a NUL character: "
                    + arg.replace("\0", "\\0"));
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /** A whole argv as one command line, arguments quoted and separated by single spaces. */
    public static String join(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least a program name");
        }
        return argv.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }

    /**
     * The argv as a person reads it: an argument is quoted only when the shell would otherwise change it. The
     * result runs the same as {@link #join} (both are valid sh), it is just easier to read in --dry-run output.
     */
    public static String display(List<String> argv) {
        StringBuilder b = new StringBuilder();
        for (String arg : argv) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(!arg.isEmpty() && arg.matches("[A-Za-z0-9_@%+=:,./-]+") ? arg : quote(arg));
        }
        return b.toString();
    }
}
