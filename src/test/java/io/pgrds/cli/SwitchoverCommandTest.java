package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.error.ErrorCode;
import io.pgrds.source.ClusterFileEdit;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pgrds switchover: the file changes (layout and comments kept), shown as a diff; never the servers. */
class SwitchoverCommandTest {
    private static final String FILE = """
            # the order service's integration database
            nodes:
              - {host: a.example.com, name: pg1}   # rack 1
              - {host: b.example.com, name: pg2}   # rack 2
            primary: pg1   # moved by the DBA team only
            reconcile: {policy: safe}
            """;

    @TempDir
    Path tmp;

    @Test
    void thePinMovesAndEverythingElseStaysAsWritten() {
        String after = ClusterFileEdit.pin(FILE, "pg2");
        assertEquals(FILE.replace("primary: pg1   # moved", "primary: pg2   # moved"), after);
        assertEquals("nodes: []\nprimary: pg2\n", ClusterFileEdit.pin("nodes: []\n", "pg2"));
        assertEquals("nodes: []\nprimary: pg2\n", ClusterFileEdit.pin("nodes: []", "pg2"));
        assertEquals("", ClusterFileEdit.diff("x.yaml", FILE, FILE));
    }

    @Test
    void itPrintsTheDiffWritesTheFileAndCommitsOnlyItWhenAsked() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        String first = fleet.commit("orderdata/integration", FILE);
        Path file = fleet.dir().resolve("clusters/orderdata/integration.yaml");
        Files.writeString(fleet.dir().resolve("notes.txt"), "not mine to commit\n");

        Cli.Run r = Cli.run("--repo", fleet.dir().toString(), "switchover", "orderdata/integration", "--to", "pg2",
                "--commit");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("-primary: pg1   # moved by the DBA team only")
                && r.out().contains("+primary: pg2   # moved by the DBA team only"), r.out());
        assertTrue(Files.readString(file).contains("# rack 2"), "comments kept");
        try (Git git = Git.open(fleet.dir().toFile())) {
            var head = git.log().setMaxCount(1).call().iterator().next();
            assertTrue(head.getFullMessage().startsWith("Switch orderdata/integration over to pg2"));
            assertTrue(head.getParent(0).getName().equals(first), "one new commit on the branch");
            assertTrue(git.status().call().getUntracked().contains("notes.txt"), "nothing else was committed");
        }
        Cli.Run again = Cli.run("--repo", fleet.dir().toString(), "switchover", "orderdata/integration", "--to",
                "pg2");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("already says so; nothing to change"), again.out());
    }

    @Test
    void aNodeThatIsNotInTheClusterIsAUsageErrorAndNothingChanges() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", FILE);
        Cli.Run r = Cli.run("--repo", fleet.dir().toString(), "switchover", "orderdata/integration", "--to", "pg9");
        assertEquals(ErrorCode.USAGE.exitCode(), r.exit(), r.toString());
        assertTrue(r.err().contains("pg9 is not a node of orderdata/integration (pg1, pg2)"), r.err());
        assertEquals(FILE, Files.readString(fleet.dir().resolve("clusters/orderdata/integration.yaml")));
    }

    @Test
    void addAndRemoveNodeEditTheListInItsOwnStyle() {
        String added = ClusterFileEdit.addNode(FILE, "c.example.com", "pg3");
        assertEquals(FILE.replace("   # rack 2\n", "   # rack 2\n  - {host: c.example.com, name: pg3}\n"), added);
        assertEquals("nodes: [{host: a}, {host: c}]\n", ClusterFileEdit.addNode("nodes: [{host: a}]\n", "c", null));
        assertEquals("nodes: [{host: c}]\n", ClusterFileEdit.addNode("nodes: []\n", "c", "c"));
        assertEquals(FILE.replace("  - {host: b.example.com, name: pg2}   # rack 2\n", ""),
                ClusterFileEdit.removeNode(FILE, "pg2"));
        String block = "nodes:\n  - host: a.example.com\n    name: pg1\n  - host: b.example.com\n    name: pg10\n"
                + "primary: pg10\n";
        assertEquals("nodes:\n  - host: b.example.com\n    name: pg10\nprimary: pg10\n",
                ClusterFileEdit.removeNode(block, "pg1"), "pg1, not pg10");
    }

    @Test
    void removeNodeEditsAFlowListOnOneLineOrSeveral() {
        String one = "nodes: [{host: a, name: pg1}, {host: b, name: pg10}, {host: c}]  # three racks\nprimary: pg10\n";
        assertEquals("nodes: [{host: b, name: pg10}, {host: c}]  # three racks\nprimary: pg10\n",
                ClusterFileEdit.removeNode(one, "pg1"), "pg1, not pg10");
        assertEquals("nodes: [{host: a, name: pg1}, {host: c}]  # three racks\nprimary: pg10\n",
                ClusterFileEdit.removeNode(one, "b"));
        assertEquals("nodes: [{host: a, name: pg1}, {host: b, name: pg10}]  # three racks\nprimary: pg10\n",
                ClusterFileEdit.removeNode(one, "c"));
        assertEquals("nodes: []\n", ClusterFileEdit.removeNode("nodes: [{host: a}]\n", "a"));
        String several = "nodes: [\n  {host: a, postgres: {port: 5433}},\n  {host: 'b'},\n  {host: c}\n]\n";
        assertEquals("nodes: [\n  {host: a, postgres: {port: 5433}},\n  {host: c}\n]\n",
                ClusterFileEdit.removeNode(several, "b"));
        assertEquals("nodes: [\n  {host: a, postgres: {port: 5433}},\n  {host: 'b'}\n]\n",
                ClusterFileEdit.removeNode(several, "c"));
        assertEquals("nodes: [\n  {host: 'b'},\n  {host: c}\n]\n", ClusterFileEdit.removeNode(several, "a"));
        String commented = "nodes: [\n  {host: a},  # db1, the old one's\n  {host: b},  # db2\n  {host: c}\n]\n";
        assertEquals("nodes: [\n  {host: a},  # db1, the old one's\n  {host: c}\n]\n",
                ClusterFileEdit.removeNode(commented, "b"), "a comment's comma and quote are text");
        assertEquals("nodes: [\n  {host: a},  # db1, the old one's\n  {host: b}  # db2\n]\n",
                ClusterFileEdit.removeNode(commented, "c"));
        IllegalArgumentException none = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ClusterFileEdit.removeNode(one, "pg9"));
        assertEquals("no item of the nodes: list names pg9", none.getMessage());
    }

    @Test
    void addNodeAndRemoveNodeChangeTheFileNeverTheServers() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", FILE);
        Path file = fleet.dir().resolve("clusters/orderdata/integration.yaml");
        Cli.Run add = Cli.run("--repo", fleet.dir().toString(), "add-node", "orderdata/integration",
                "c.example.com", "--name", "pg3", "--commit");
        assertEquals(0, add.exit(), add.toString());
        assertTrue(add.out().contains("+  - {host: c.example.com, name: pg3}"), add.out());
        Cli.Run pinned = Cli.run("--repo", fleet.dir().toString(), "remove-node", "orderdata/integration", "pg1");
        assertEquals(ErrorCode.USAGE.exitCode(), pinned.exit(), pinned.toString());
        assertTrue(pinned.err().contains("pg1 is the pinned primary"), pinned.err());
        Cli.Run remove = Cli.run("--repo", fleet.dir().toString(), "remove-node", "orderdata/integration", "pg2");
        assertEquals(0, remove.exit(), remove.toString());
        assertTrue(remove.out().contains("-  - {host: b.example.com, name: pg2}   # rack 2"), remove.out());
        assertTrue(Files.readString(file).contains("name: pg3") && !Files.readString(file).contains("pg2"));
        Cli.Run twice = Cli.run("--repo", fleet.dir().toString(), "add-node", "orderdata/integration",
                "d.example.com", "--name", "pg3");
        assertEquals(ErrorCode.USAGE.exitCode(), twice.exit(), twice.toString());
    }
}
