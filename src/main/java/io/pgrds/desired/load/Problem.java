package io.pgrds.desired.load;

import io.pgrds.util.Texts;

/**
 * One thing wrong with the fleet repository, located precisely enough to fix without searching.
 *
 * @param file    path relative to the repository root
 * @param line    1-based line (0 when the problem is about the file as a whole)
 * @param column  1-based column (0 when unknown)
 * @param pointer JSON pointer into the merged cluster document ("" for the whole file)
 * @param code    a stable code (scripts may match on it)
 * @param message what is wrong and what to do
 */
public record Problem(String file, int line, int column, String pointer, ProblemCode code, String message)
        implements Comparable<Problem> {

    @Override
    public int compareTo(Problem o) {
        int c = file.compareTo(o.file);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(line, o.line);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(column, o.column);
        return c != 0 ? c : message.compareTo(o.message);
    }

    /**
     * {@code file:line:column: CODE at /pointer: message}, the form compilers use so editors can jump to it; always one
     * line (a control character in a file name or a key is written as an escape).
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(Texts.escape(file));
        if (line > 0) {
            b.append(':').append(line);
            if (column > 0) {
                b.append(':').append(column);
            }
        }
        b.append(": ").append(code);
        if (!pointer.isEmpty()) {
            b.append(" at ").append(Texts.escape(pointer));
        }
        return b.append(": ").append(message).toString();
    }
}
