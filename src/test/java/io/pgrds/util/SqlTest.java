package io.pgrds.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SqlTest {
    @Test
    void aLiteralDoublesSingleQuotesAndLeavesEverythingElseAsItIs() {
        assertEquals("'it''s'", Sql.literal("it's"));
        assertEquals("''", Sql.literal(""));
        assertEquals("'a \\ b'", Sql.literal("a \\ b"));
        assertEquals("''''';drop table x;--'", Sql.literal("'';drop table x;--"));
        assertEquals("'$$ $(x) \"y\" \n'", Sql.literal("$$ $(x) \"y\" \n"));
    }

    @Test
    void anIdentifierDoublesDoubleQuotes() {
        assertEquals("\"app\"", Sql.identifier("app"));
        assertEquals("\"my \"\"db\"\"\"", Sql.identifier("my \"db\""));
        assertEquals("\"it's\"", Sql.identifier("it's"));
    }

    @Test
    void aNulOrAnEmptyNameIsRefused() {
        assertEquals("an SQL string cannot hold a NUL character (PostgreSQL stores none): \"a\\u0000b\"",
                assertThrows(IllegalArgumentException.class, () -> Sql.literal("a\0b")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sql.identifier("a\0b"));
        assertThrows(IllegalArgumentException.class, () -> Sql.identifier(""));
    }
}
