package io.pgrds.util;

/**
 * The one place where a text becomes part of an SQL statement. Values go in as literals, names as identifiers; a
 * text is never pasted into SQL any other way.
 *
 * <p>A literal is a standard SQL string: single quotes, each {@code '} doubled, nothing else escaped. That is exactly
 * the text with {@code standard_conforming_strings = on}, PostgreSQL's default since 9.1, which pgrds does not let a
 * cluster file change (it is a reserved parameter). {@code E'…'} strings are never written: in them a backslash
 * escapes, which would be a second quoting rule.
 */
public final class Sql {
    private Sql() {
    }

    /** {@code it's} as {@code 'it''s'}; a backslash stays a backslash. */
    public static String literal(String value) {
        refuseNul(value, "an SQL string");
        return "'" + value.replace("'", "''") + "'";
    }

    /** A name (role, database, table) as a quoted identifier: {@code my "db"} as {@code "my ""db"""}. */
    public static String identifier(String name) {
        refuseNul(name, "an SQL name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an SQL name cannot be empty");
        }
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static void refuseNul(String text, String what) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " cannot hold a NUL character (PostgreSQL stores none): "
                    + Texts.show(text));
        }
    }
}
