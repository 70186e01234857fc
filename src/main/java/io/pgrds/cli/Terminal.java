package io.pgrds.cli;

import io.pgrds.util.Palette;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Where the CLI writes, and whether it may use colour: only on a terminal, never when {@code NO_COLOR} is
 * set or {@code TERM=dumb}.
 */
public record Terminal(PrintWriter out, PrintWriter err, boolean colour, boolean interactive,
                       java.io.BufferedReader in) {

    /** A terminal whose answers (apply's 'yes') come from standard input. */
    public Terminal(PrintWriter out, PrintWriter err, boolean colour, boolean interactive) {
        this(out, err, colour, interactive, new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                StandardCharsets.UTF_8)));
    }

    public static Terminal system() {
        boolean tty = System.console() != null;
        String term = System.getenv("TERM");
        boolean colour = tty && System.getenv("NO_COLOR") == null && term != null && !term.equals("dumb");
        return new Terminal(new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true), colour, tty);
    }

    /** The same terminal, coloured or not. */
    public Terminal withColour(boolean colour) {
        return new Terminal(out, err, colour, interactive, in);
    }

    public void warn(String message) {
        err.println(paint("warning: ", Palette.CAUTION) + message);
    }

    public String paint(String text, Palette palette) {
        return palette.paint(text, colour);
    }

    /** The one line every error prints on stderr: {@code error [CODE]: what failed, why, what to do}. */
    public void error(io.pgrds.error.ErrorCode code, String message) {
        err.println(paint("error", Palette.BAD) + " [" + code + "]: " + message);
    }

    /**
     * Asks a yes/no question; only "yes" is yes. Without a terminal to ask on it is a usage error that says
     * {@code noTerminal}.
     */
    public boolean ask(String question, String noTerminal) {
        if (!interactive) {
            throw new io.pgrds.error.PgrdsException(io.pgrds.error.ErrorCode.USAGE, noTerminal);
        }
        out.print("\n" + question + " Only 'yes' is accepted: ");
        out.flush();
        try {
            String answer = in.readLine();
            return answer != null && answer.strip().equals("yes");
        } catch (java.io.IOException e) {
            throw new io.pgrds.error.PgrdsException(io.pgrds.error.ErrorCode.IO, "cannot read the answer: "
                    + e.getMessage());
        }
    }
}
