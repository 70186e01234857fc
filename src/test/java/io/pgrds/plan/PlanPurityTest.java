package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** STYLE.md rule 1: the planner is a pure function, so its package may not reach for I/O, clocks or chance. */
class PlanPurityTest {
    static final List<String> FORBIDDEN = List.of("io.pgrds.transport", "io.pgrds.source", "io.pgrds.cli",
            "java.sql", "org.postgresql", "net.schmizz", "com.hierynomus", "org.eclipse.jgit", "java.nio.file",
            "java.io.File", "java.net", "java.time", "java.util.Random", "java.util.concurrent", "Math.random",
            "UUID.randomUUID", "System.currentTimeMillis", "System.nanoTime", "System.getenv", "System.getProperty",
            "System.out", "System.err", "Thread");

    /**
     * The shell quoting rule the configuration files use for {@code archive_command}: there is one in pgrds, and it
     * lives beside the shells. It is a pure function, which {@link #theShellQuotingTheConfigFilesUseIsPure} checks.
     */
    static final String SHELL_QUOTE = "import io.pgrds.transport.ShellQuote;";

    @Test
    void thePlanPackageUsesNoIoNoClockAndNoRandomness() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/io/pgrds/plan"))) {
            for (Path f : files.sorted().toList()) {
                String text = Files.readString(f).replace(SHELL_QUOTE, "");
                for (String word : FORBIDDEN) {
                    if (text.contains(word)) {
                        found.add(f.getFileName() + ": " + word);
                    }
                }
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void theShellQuotingTheConfigFilesUseIsPure() throws IOException {
        String text = Files.readString(Path.of("src/main/java/io/pgrds/transport/ShellQuote.java"))
                .replace("package io.pgrds.transport;", "");
        List<String> found = new ArrayList<>();
        for (String word : FORBIDDEN) {
            if (text.contains(word)) {
                found.add(word);
            }
        }
        assertEquals(List.of(), found);
        assertEquals(List.of("import java.util.List;", "import java.util.stream.Collectors;"),
                text.lines().filter(l -> l.startsWith("import ")).toList());
    }

    /** The planner calls the WAL archiving rule, which lives beside the observation: it must be as pure. */
    @Test
    void theArchivingRuleThePlannerUsesReadsNoClockOfItsOwn() throws IOException {
        String text = Files.readString(Path.of("src/main/java/io/pgrds/observe/ArchiveHealth.java"));
        List<String> found = new ArrayList<>();
        for (String word : List.of("Instant.now", "Clock", ".now(", "System.currentTimeMillis", "System.nanoTime",
                "java.util.Random", "java.sql", "java.nio", "java.io", "io.pgrds.transport")) {
            if (text.contains(word)) {
                found.add(word);
            }
        }
        assertEquals(List.of(), found);
    }
}
