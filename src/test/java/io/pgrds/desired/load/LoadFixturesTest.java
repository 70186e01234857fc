package io.pgrds.desired.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One folder per kind of broken fleet under {@code src/test/resources/load/}: its {@code clusters/} files and
 * {@code expected.txt}, the exact problems pgrds must report (file, line, column, pointer, code, message).
 */
class LoadFixturesTest {

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(Fixtures.resource("load"))) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactlyTheExpectedProblems(String name) throws IOException {
        Path dir = Fixtures.resource("load").resolve(name);
        FleetLoader.Result result = FleetLoader.load(Fixtures.snapshot(dir));
        String actual = result.problems().stream().map(Problem::toString).collect(Collectors.joining("\n"));
        if (System.getProperty("pgrds.print") != null) {
            System.out.println("=== " + name + "\n" + actual);
        }
        String expected = Files.readString(dir.resolve("expected.txt"), StandardCharsets.UTF_8).strip();
        assertEquals(expected, actual);
    }
}
