package io.pgrds.plan;

import io.pgrds.util.Texts;
import java.util.OptionalInt;

/** What every file pgrds writes shares: {@code #} comments, and values that must stay on their line. */
final class ConfText {
    private ConfText() {
    }

    /** A {@code #} comment line (of any file pgrds writes); text that would start a second line is refused. */
    static void comment(StringBuilder out, String text) {
        out.append("# ").append(oneLine(text, "a comment")).append('\n');
    }

    /**
     * {@code text} itself, when it holds no control character (a line break among them).
     *
     * @param what what the text is, for the message: {@code a pg_hba.conf field}
     * @throws IllegalArgumentException naming the character
     */
    static String oneLine(String text, String what) {
        OptionalInt bad = Texts.firstControl(text);
        if (bad.isPresent()) {
            throw new IllegalArgumentException(what + " cannot hold " + Texts.describe(text.codePointAt(
                    bad.getAsInt())) + ": " + Texts.show(text));
        }
        return text;
    }
}
