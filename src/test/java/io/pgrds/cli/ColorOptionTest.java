package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.ErrorCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** --color=auto|always|never and --no-color decide colour over what the terminal allows. */
class ColorOptionTest {
    private static final String ESC = "\u001b[";

    /** Runs pgrds on a terminal that allows colour or not; returns stderr (the error line is painted). */
    private static String err(boolean terminalColour, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new Terminal(new PrintWriter(out, true), new PrintWriter(err, true), terminalColour,
                false), args);
        assertTrue(exit != 0, "an error: " + err);
        return err.toString();
    }

    @Test
    void alwaysColoursEvenWhereTheTerminalWouldNot() {
        String e = err(false, "--color=always", "--repo", "/nonexistent/fleet", "validate");
        assertTrue(e.contains(ESC) && e.contains("error"), e);
    }

    @Test
    void neverAndNoColorColourNothingEvenOnAColourTerminal() {
        assertFalse(err(true, "--color=never", "--repo", "/nonexistent/fleet", "validate").contains(ESC));
        assertFalse(err(true, "--no-color", "--repo", "/nonexistent/fleet", "validate").contains(ESC));
        assertFalse(err(true, "--repo", "/nonexistent/fleet", "validate", "--no-color").contains(ESC),
                "the option is inherited by every command");
    }

    @Test
    void autoKeepsWhatTheTerminalAllows() {
        assertTrue(err(true, "--repo", "/nonexistent/fleet", "validate").contains(ESC));
        assertFalse(err(false, "--repo", "/nonexistent/fleet", "validate").contains(ESC));
    }

    @Test
    void anUnknownWhenIsAUsageError() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new Terminal(new PrintWriter(out, true), new PrintWriter(err, true), false, false),
                "--color=sometimes", "validate");
        assertEquals(ErrorCode.USAGE.exitCode(), exit, err.toString());
        assertTrue(err.toString().contains("--color"), err.toString());
    }
}
