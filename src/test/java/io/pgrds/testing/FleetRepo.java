package io.pgrds.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/** A real fleet repository on disk for integration tests: write a cluster file, commit it. */
public final class FleetRepo {
    private final Path dir;

    public FleetRepo(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("clusters"));
            Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** Writes {@code clusters/<id>.yaml} and commits it; returns the commit id. */
    public String commit(String clusterId, String yaml) {
        try {
            Path file = dir.resolve("clusters").resolve(clusterId + ".yaml");
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            try (Git git = Git.open(dir.toFile())) {
                git.add().addFilepattern("clusters").call();
                return git.commit().setMessage("update " + clusterId).setAuthor("it", "it@localhost")
                        .setCommitter("it", "it@localhost").call().getName();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }
}
