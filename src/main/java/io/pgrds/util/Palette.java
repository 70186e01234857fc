package io.pgrds.util;

/**
 * The one set of colours pgrds prints with, by meaning, and the one way to paint: only when the terminal asked for
 * colour. Renderers and the CLI use these, never escape codes of their own.
 */
public enum Palette {
    /** Something created, or healthy. */
    GOOD("32"),
    /** A change, a warning, something behind. */
    CAUTION("33"),
    /** Something removed, failed or refused. */
    BAD("31"),
    /** Danger: two primaries, a refusal headline. */
    DANGER("1;31"),
    /** Emphasis for what must be read once (a password notice). */
    STRONG("1");

    private final String code;

    Palette(String code) {
        this.code = code;
    }

    /** {@code text} in this colour when {@code colour} is on, else as it is. */
    public String paint(String text, boolean colour) {
        return colour ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
    }
}
