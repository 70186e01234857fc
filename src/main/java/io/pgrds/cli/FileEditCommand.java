package io.pgrds.cli;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.source.ClusterFileEdit;
import io.pgrds.source.GitSource;
import io.pgrds.source.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * An imperative shortcut that stays GitOps: it edits one cluster file in the working tree of a local checkout
 * (comments and layout kept), checks that the fleet is still valid with it, prints the change as a unified diff and,
 * with {@code --commit}, commits that file alone on the current branch. The servers change only with a plan/apply of
 * that commit.
 */
abstract class FileEditCommand implements Callable<Integer> {
    @ParentCommand
    PgrdsCommand top;

    @Parameters(index = "0", paramLabel = "CLUSTER", description = "team/stage")
    String cluster;

    @Option(names = "--commit", description = "Commit the changed file (and only it) on the current branch.")
    boolean commit;

    /** The file's new text; a usage error (PgrdsException) when the change cannot be made. */
    abstract String edit(DesiredCluster c, String text);

    /** The commit message's first line. */
    abstract String subject(DesiredCluster c);

    @Override
    public Integer call() throws IOException {
        Terminal t = top.terminal();
        Snapshot tree = GitSource.readWorkingTree(top.repoLocation());
        DesiredCluster c = Selection.select(FleetLoader.loadOrThrow(tree), List.of(cluster)).get(0);
        Path file = Path.of(top.repoLocation()).resolve(c.file());
        String before = Files.readString(file, StandardCharsets.UTF_8);
        String after = edit(c, before);
        TreeMap<String, byte[]> files = new TreeMap<>(tree.files());
        files.put(c.file(), after.getBytes(StandardCharsets.UTF_8));
        FleetLoader.loadOrThrow(new Snapshot(tree.commit(), tree.ref(), files, tree.warnings())); // still valid
        String diff = ClusterFileEdit.diff(c.file(), before, after);
        if (diff.isEmpty()) {
            t.out().println(c.file() + " already says so; nothing to change.");
            return 0;
        }
        Files.writeString(file, after, StandardCharsets.UTF_8);
        t.out().print(diff);
        if (commit) {
            String id = GitSource.commitFile(top.repoLocation(), c.file(), subject(c) + "\n\nMade by pgrds "
                    + getClass().getSimpleName().replace("Command", "").replaceAll("([a-z])([A-Z])", "$1-$2")
                    .toLowerCase(java.util.Locale.ROOT) + "; the servers follow with the next plan/apply of this "
                    + "commit.");
            t.out().println("\nCommitted " + id.substring(0, 7) + ". Next: push it, then pgrds plan " + c.id());
        } else {
            t.out().println("\nChanged " + c.file() + ". Next: review, commit and push it, then pgrds plan " + c.id());
        }
        return 0;
    }
}
