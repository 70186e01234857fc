package io.pgrds.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShellQuoteTest {

    @ParameterizedTest(name = "[{0}] is quoted as [{1}]")
    @CsvSource(delimiterString = "=>", quoteCharacter = '"', value = {
        "plain => 'plain'",
        "two words => 'two words'",
        "\"\" => ''",
        "it's => 'it'\\''s'",
        "' => ''\\'''",
        "'' => ''\\'''\\'''",
        "$(rm -rf /) => '$(rm -rf /)'",
        "`id` => '`id`'",
        "a;b&&c|d => 'a;b&&c|d'",
        "* => '*'",
        "~root => '~root'",
        "$HOME\\n => '$HOME\\n'",
        "A=b => 'A=b'",
        "if => 'if'",
        "-n => '-n'",
        "grüße ✓ => 'grüße ✓'",
    })
    void quotesEveryArgumentInSingleQuotes(String arg, String expected) {
        assertEquals(expected, ShellQuote.quote(arg));
    }

    @Test
    void keepsNewlinesAndTabsLiterallyInsideTheQuotes() {
        assertEquals("'a\nb\tc'", ShellQuote.quote("a\nb\tc"));
    }

    @Test
    void joinsAnArgvWithSingleSpaces() {
        assertEquals("'printf' '%s\\n' 'a b' '' 'it'\\''s'",
                ShellQuote.join(List.of("printf", "%s\\n", "a b", "", "it's")));
    }

    @Test
    void refusesAnArgumentWithANulCharacterBecauseNoProgramCouldReceiveIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShellQuote.quote("a\0b"));
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
    }

    @Test
    void refusesAnEmptyArgv() {
        assertThrows(IllegalArgumentException.class, () -> ShellQuote.join(List.of()));
    }

    @Test
    void aQuotedArgumentContainsNoSingleQuoteOutsideTheEscapeSequence() {
        String quoted = ShellQuote.quote("x'y'z");
        // between the outer quotes, every ' belongs to a '\'' sequence
        String inner = quoted.substring(1, quoted.length() - 1).replace("'\\''", "");
        assertTrue(inner.indexOf('\'') < 0, quoted);
    }
}
