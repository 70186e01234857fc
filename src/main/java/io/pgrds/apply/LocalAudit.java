package io.pgrds.apply;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** The local copy of the audit trail: {@code $PGRDS_STATE} or {@code ~/.local/state/pgrds}/audit.jsonl. */
public final class LocalAudit {
    private LocalAudit() {
    }

    public static Path file() {
        String explicit = System.getenv("PGRDS_STATE");
        Path dir = explicit != null && !explicit.isBlank() ? Path.of(explicit)
                : Path.of(System.getProperty("user.home"), ".local", "state", "pgrds");
        return dir.resolve("audit.jsonl");
    }

    static void append(String line) {
        try {
            Path f = file();
            Files.createDirectories(f.getParent());
            Files.writeString(f, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the nodes keep the trail; a read-only home must not fail an apply that is done
        }
    }

    public static List<String> lines() throws IOException {
        Path f = file();
        return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
    }
}
