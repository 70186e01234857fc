package io.pgrds.desired.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestTest {
    @Test
    void suggestsTheClosestKeyForTyposAndTranspositions() {
        List<String> keys = List.of("host", "name", "ssh", "postgres");
        assertEquals(Optional.of("host"), Suggest.closest("hsot", keys));
        assertEquals(Optional.of("postgres"), Suggest.closest("postgers", keys));
        assertEquals(Optional.of("name"), Suggest.closest("Name", keys));
    }

    @Test
    void suggestsAKeyThatStartsWithWhatWasWritten() {
        assertEquals(Optional.of("dataDirectory"), Suggest.closest("dataDir", List.of("binDir", "dataDirectory")));
    }

    @Test
    void suggestsNothingForUnrelatedWords() {
        assertEquals(Optional.empty(), Suggest.closest("replicas", List.of("host", "name", "ssh", "postgres")));
    }
}
