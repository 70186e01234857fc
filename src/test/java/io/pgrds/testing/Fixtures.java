package io.pgrds.testing;

import io.pgrds.source.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test data helpers: a snapshot made from a folder on disk, resources by path. */
public final class Fixtures {
    private Fixtures() {
    }

    /** Every file under {@code root/clusters}, keyed as a git tree would be. */
    public static Snapshot snapshot(Path root) {
        TreeMap<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root.resolve("clusters"))) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Snapshot(Optional.of("0000000000000000000000000000000000000000"), "HEAD", files, List.of());
    }

    public static Snapshot snapshot(TreeMap<String, byte[]> files) {
        return new Snapshot(Optional.of("0000000000000000000000000000000000000000"), "HEAD", files, List.of());
    }

    /** A folder of src/test/resources. */
    public static Path resource(String name) {
        return Path.of("src/test/resources", name);
    }
}
