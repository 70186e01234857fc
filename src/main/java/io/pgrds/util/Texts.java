package io.pgrds.util;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * The one rule for characters no value from a cluster file may carry, and how such a value is shown in a message.
 *
 * <p>Control characters (U+0000–U+001F, U+007F–U+009F) and the line separators U+2028 and U+2029 are never part of
 * a path, a name, a parameter value or an expression; every one of them is a line break somewhere (a
 * configuration file, a pg_hba.conf line, a shell, Java's own {@code $} in a regular expression, which matches
 * before a final line break) or invisible in a review. A tab is refused as well: it separates fields in pg_hba.conf.
 */
public final class Texts {
    /** Values shown in messages are cut after this many characters. */
    public static final int SHOWN = 60;

    private Texts() {
    }

    /** Whether the character is one no cluster-file value may hold. */
    public static boolean isControl(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
    }

    /**
     * The index (in chars) of the first character {@link #isControl} refuses, or of an unpaired surrogate (half of a
     * character that UTF-8 cannot write, so what reaches a file would differ from the value), if any.
     */
    public static OptionalInt firstControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isControl(c)) {
                return OptionalInt.of(i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /** A control character as a person reads it: {@code a line feed (U+000A)}. */
    public static String describe(int c) {
        String name = switch (c) {
            case 0 -> "a NUL character";
            case '\t' -> "a tab";
            case '\n' -> "a line feed";
            case '\r' -> "a carriage return";
            case 0x1b -> "an escape character";
            case 0x85 -> "a next-line character";
            case 0x2028 -> "a line separator";
            case 0x2029 -> "a paragraph separator";
            default -> Character.getType(c) == Character.SURROGATE ? "half of a character (an unpaired surrogate)"
                    : "a control character";
        };
        return name + " (" + codePoint(c) + ")";
    }

    /**
     * A text quoted for a message on one line: in double quotes, {@code "} and {@code \} escaped, control characters,
     * line separators and invisible formatting characters (such as a right-to-left override, which would reorder
     * the message on a terminal) written as escapes, cut after {@value #SHOWN} characters.
     */
    public static String show(String text) {
        return "\"" + escape(text, SHOWN, true) + "\"";
    }

    /**
     * The text with control characters, line separators and invisible formatting characters written as escapes (a
     * backslash, u and four hex digits), whole and unquoted: for a file name or a JSON pointer in a message, which
     * must stay on its line.
     */
    public static String escape(String text) {
        return escape(text, Integer.MAX_VALUE, false);
    }

    private static String escape(String text, int max, boolean quoted) {
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < text.length(); ) {
            if (shown == max) {
                b.append("…");
                break;
            }
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            shown++;
            switch (quoted ? c : -1) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (isControl(c) || Character.getType(c) == Character.FORMAT
                            || Character.getType(c) == Character.SURROGATE) {
                        b.append(String.format(Locale.ROOT, "\\u%04X", c));
                    } else {
                        b.appendCodePoint(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static String codePoint(int c) {
        return String.format(Locale.ROOT, "U+%04X", c);
    }
}
