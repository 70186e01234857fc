package io.pgrds.testing;

import io.pgrds.cli.Main;
import io.pgrds.cli.Terminal;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the pgrds CLI in this JVM, as a user would type it, capturing what it prints. */
public final class Cli {
    private Cli() {
    }

    public record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new Terminal(new PrintWriter(out, true), new PrintWriter(err, true), false, false), args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs pgrds on the fleet repository {@code repo}: {@code --repo REPO ARGS...}. */
    public static Run inRepo(java.nio.file.Path repo, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--repo";
        all[1] = repo.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return run(all);
    }

    /**
     * Runs {@code pgrds apply} as on a terminal: it shows the plan and asks; {@code answer} is called once the question
     * is on the screen (a test may change the servers meanwhile) and returns what the person types.
     */
    public static Run interactive(java.util.function.Supplier<String> answer, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.Reader() {
            private java.io.StringReader typed;

            @Override
            public int read(char[] buf, int off, int len) throws java.io.IOException {
                if (typed == null) {
                    typed = new java.io.StringReader(answer.get() + "\n");
                }
                return typed.read(buf, off, len);
            }

            @Override
            public void close() {
            }
        });
        int exit = Main.run(new Terminal(new PrintWriter(out, true), new PrintWriter(err, true), false, true, in),
                args);
        return new Run(exit, out.toString(), err.toString());
    }
}
