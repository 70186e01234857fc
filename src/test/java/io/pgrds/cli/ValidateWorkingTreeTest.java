package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.ErrorCode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate --working-tree: the files as they are on disk, before a commit (a pre-commit hook). */
class ValidateWorkingTreeTest {
    @TempDir
    Path tmp;

    @Test
    void anUncommittedMistakeIsFoundInTheWorkingTreeAndNotInTheCommit() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", "nodes:\n  - {host: a.example.com}\n");
        Files.writeString(fleet.dir().resolve("clusters/orderdata/integration.yaml"),
                "nodes:\n  - {host: a.example.com, prot: 5432}\n"); // not committed
        Cli.Run committed = Cli.run("--repo", fleet.dir().toString(), "validate");
        assertEquals(0, committed.exit(), committed.toString());

        Cli.Run tree = Cli.run("--repo", fleet.dir().toString(), "validate", "--working-tree");
        assertEquals(ErrorCode.INVALID_DESIRED_STATE.exitCode(), tree.exit(), tree.toString());
        assertTrue(tree.out().contains("clusters/orderdata/integration.yaml:2:") && tree.out().contains("UNKNOWN_KEY"),
                tree.out());
        assertTrue(tree.out().contains("files on disk (no commit)"), tree.out());
    }

    @Test
    void aNewFileNotYetCommittedIsCheckedToo() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", "nodes:\n  - {host: a.example.com}\n");
        Files.createDirectories(fleet.dir().resolve("clusters/payments"));
        Files.writeString(fleet.dir().resolve("clusters/payments/production.yaml"), "nodes:\n  - {host: b.example.com}\n");
        Cli.Run tree = Cli.run("--repo", fleet.dir().toString(), "validate", "--working-tree");
        assertEquals(0, tree.exit(), tree.toString());
        assertTrue(tree.out().contains("payments/production"), tree.out());
    }

    @Test
    void workingTreeAndRefTogetherAreAUsageError() {
        Cli.Run r = Cli.run("--ref", "main", "validate", "--working-tree");
        assertEquals(ErrorCode.USAGE.exitCode(), r.exit(), r.toString());
    }
}
