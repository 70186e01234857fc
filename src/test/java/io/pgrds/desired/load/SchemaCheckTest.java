package io.pgrds.desired.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.util.Texts;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SchemaCheckTest {

    @Test
    void schemaPatternsMeanWhatJsonSchemaSaysNotWhatJavaSays() {
        // Java's $ also matches before a final line break; JSON Schema's (ECMA 262) only at the end
        assertTrue(Pattern.compile("^[a-z]+$").matcher("abc\n").find());
        assertFalse(Pattern.compile(SchemaCheck.javaRegex("^[a-z]+$")).matcher("abc\n").find());
        assertTrue(Pattern.compile(SchemaCheck.javaRegex("^[a-z]+$")).matcher("abc").find());
        assertEquals("^[$]a\\$(x|\\z)\\z", SchemaCheck.javaRegex("^[$]a\\$(x|$)$"));
    }

    @Test
    void aValueInAMessageStaysOnItsLineAndCannotReorderIt() {
        assertEquals("\"a\\nb\\t\\\"c\\\" \\\\ \\u0000 \\u202E x\"", Texts.show("a\nb\t\"c\" \\ \0 \u202e x"));
        assertEquals("\"" + "x".repeat(Texts.SHOWN) + "…\"", Texts.show("x".repeat(1000)));
        assertEquals("\"✓ 🐘\"", Texts.show("✓ 🐘"));
        assertEquals("/postgres/parameters/a\\u0085b", Texts.escape("/postgres/parameters/a\u0085b"));
    }

    @Test
    void everyControlCharacterAndLineSeparatorIsFoundButNotOrdinaryText() {
        for (char c : new char[] {0, '\t', '\n', '\r', 0x1b, 0x7f, 0x85, 0x9f, 0x2028, 0x2029}) {
            assertEquals(2, Texts.firstControl("ab" + c + "cd").orElse(-1), Integer.toHexString(c));
        }
        assertTrue(Texts.firstControl("it's a \\ test $(x) `y` ; | & émoji 🐘 \u202e").isEmpty());
        assertEquals(1, Texts.firstControl("a\ud800b").orElse(-1), "an unpaired surrogate");
    }
}
