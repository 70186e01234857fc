package io.pgrds.cli;

import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create a new fleet repository: git init, clusters/defaults.yaml, one example cluster and "
                + "the schema editors use to complete and check the files. Refuses to touch an existing fleet.")
final class InitCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Parameters(paramLabel = "DIR", description = "Where to create the repository (created if missing).")
    private Path dir;

    @Override
    public Integer call() {
        Path clusters = dir.resolve("clusters");
        if (Files.exists(clusters)) {
            throw new PgrdsException(ErrorCode.USAGE, dir + " already has a clusters/ directory; pgrds init "
                    + "never overwrites a fleet. Choose an empty directory.");
        }
        try {
            Files.createDirectories(clusters.resolve("example"));
            Files.createDirectories(dir.resolve("schema"));
            copy("/io/pgrds/schema/cluster.schema.json", dir.resolve("schema/cluster.schema.json"));
            copy("/io/pgrds/init/defaults.yaml", clusters.resolve("defaults.yaml"));
            copy("/io/pgrds/init/integration.yaml", clusters.resolve("example/integration.yaml"));
            copy("/io/pgrds/init/README.md", dir.resolve("README.md"));
            boolean fresh = !Files.exists(dir.resolve(".git"));
            io.pgrds.source.SystemGitConfig.apply();
            try (Git git = fresh ? Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()
                    : Git.open(dir.toFile())) {
                git.add().addFilepattern("clusters").addFilepattern("schema").addFilepattern("README.md").call();
                git.commit().setMessage("Start a pgrds fleet repository").call();
            }
        } catch (IOException | GitAPIException e) {
            throw new PgrdsException(ErrorCode.IO, "cannot create the fleet repository in " + dir + ": "
                    + e.getMessage(), e);
        }
        Terminal t = top.terminal();
        t.out().println("Created a fleet repository in " + dir + " (committed):");
        t.out().println("  clusters/defaults.yaml             settings every cluster shares");
        t.out().println("  clusters/example/integration.yaml  one cluster: team \"example\", stage \"integration\"");
        t.out().println("  schema/cluster.schema.json         for editors (yaml-language-server)");
        t.out().println();
        t.out().println("Next: edit the hosts, commit, then run  pgrds validate --repo " + dir);
        return 0;
    }

    private static void copy(String resource, Path target) throws IOException {
        try (InputStream in = InitCommand.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing resource " + resource);
            }
            Files.write(target, new String(in.readAllBytes(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        }
    }
}
