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
}
