package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import io.pgrds.testing.FleetRepo;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgrds status} as a user types it, against a real primary and standby reached over real SSH. */
class StatusIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(2);

    @TempDir
    Path tmp;

    private FleetRepo fleet;
    private TestNode primary;
    private TestNode standby;

    @BeforeEach
    void primaryAndStreamingStandby() {
        primary = hosts.node(0);
        standby = hosts.node(1);
        hosts.nodes().forEach(hosts::reset);
        hosts.initPrimary(primary);
        hosts.cloneStandby(primary, standby);
        hosts.awaitStreaming(primary, standby);
        fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", clusterFile(List.of(primary, standby)));
    }

    @AfterEach
    void stopEverything() {
        hosts.nodes().forEach(hosts::reset);
    }

    private static String clusterFile(List<TestNode> nodes) {
        StringBuilder y = new StringBuilder();
        y.append("ssh: {user: root, port: ").append(nodes.get(0).sshPort()).append(", identityFile: ")
                .append(hosts.clientKey()).append(", knownHostsFile: ").append(hosts.knownHosts())
                .append(", become: runuser}\n");
        y.append("nodes:\n");
        for (TestNode n : nodes) {
            y.append("  - {host: ").append(n.address()).append(", name: ").append(n.name())
                    .append(", postgres: {dataDirectory: ").append(n.dataDirectory()).append(", port: ")
                    .append(n.pgPort()).append("}}\n");
        }
        return y.toString();
    }

    private Cli.Run status() {
        return Cli.run("--repo", fleet.dir().toString(), "status");
    }

    /** The STATE column of a node's row. */
    private static String state(Cli.Run status, TestNode n) {
        return status.out().lines().filter(l -> l.startsWith("  " + n.name() + " ")).findFirst()
                .map(l -> l.strip().split("\\s+")[2]).orElse("(not shown)");
    }

    private static List<String> lastLines(Cli.Run r, int count) {
        List<String> lines = r.out().lines().toList();
        return lines.subList(Math.max(0, lines.size() - count), lines.size());
    }

    @Test
    void aStreamingStandbyIsInSyncAndStatusExitsZero() {
        Cli.Run r = status();

        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("pgrds status — commit "), r.out());
        assertTrue(r.out().contains("\norderdata/integration\n  NODE   HOST"), r.out());
        assertEquals("PRIMARY", state(r, primary));
        assertEquals("STANDBY", state(r, standby));
        assertEquals(List.of("  ✓ in sync: node1 primary, 1 standby streaming"), lastLines(r, 1));
    }

    @Test
    void thePackagedJarPrintsTheStatusAndNothingOnStderr() throws Exception {
        // sshj logs errors with stack traces when a connection closes under a tunnel still winding down; a run
        // ends right after the last node's SQL, so try a few
        for (int i = 0; i < 3; i++) {
            CliIT.Run r = CliIT.pgrds(tmp, "--repo", fleet.dir().toString(), "status");
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.err());
            assertTrue(r.out().endsWith("  ✓ in sync: node1 primary, 1 standby streaming\n"), r.out());
        }
    }

    @Test
    void aStoppedStandbyIsNamedAndStatusExitsOne() {
        hosts.stop(standby);

        Cli.Run r = status();

        assertEquals(1, r.exit(), r.toString());
        assertEquals("STANDBY", state(r, standby));
        assertEquals(List.of("  ✗ node2 is stopped"), lastLines(r, 1));
    }

    @Test
    void aStandbyWhoseSshdIsDownIsNamedUnreachableAndStatusExitsOne() {
        hosts.makeUnreachable(standby);

        Cli.Run r = status();

        assertEquals(1, r.exit(), r.toString());
        assertEquals("", r.err());
        assertEquals("PRIMARY", state(r, primary));
        assertEquals("UNREACHABLE", state(r, standby));
        String why = "Unable to connect to root@" + standby.address() + ":" + standby.sshPort() + ": connection refused"
                + " (is sshd running and listening on " + standby.address() + " port " + standby.sshPort() + "?)";
        assertEquals(List.of("  ✗ node2 UNREACHABLE: " + why), lastLines(r, 1));
        assertEquals(r.out().indexOf(why), r.out().lastIndexOf(why), "the node's error is printed once:\n" + r.out());
    }
}
