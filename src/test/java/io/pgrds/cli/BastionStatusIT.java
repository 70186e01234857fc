package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.FleetRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged jar as an operator on a fleet behind a bastion runs it: the node's name resolves only on the bastion
 * (its sshd has its own /etc/hosts), the cluster file names the jump host, and the only key is protected by a
 * passphrase and held by an ssh-agent the operator started ({@code SSH_AUTH_SOCK}).
 */
class BastionStatusIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(2);

    static final String NODE = "db-1.pgrds-it.invalid";
    static final String PASSPHRASE = "a passphrase nobody types";

    static TestNode bastion;
    static TestNode node;
    static Path dir;
    static Path agentSocket;
    static io.pgrds.harness.TestAgent agent;
    static FleetRepo fleet;

    @BeforeAll
    static void bastionNodeAgentAndFleet() throws Exception {
        bastion = hosts.node(0);
        node = hosts.node(1);
        dir = Files.createDirectories(hosts.root().resolve("bastion-status"));
        hosts.resolveOnlyThere(bastion, Map.of(NODE, node.address()));
        // the node knows its own name, as a real server does (pgrds tunnels to the node's host as the node sees it)
        hosts.resolveOnlyThere(node, Map.of(NODE, node.address()));
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), hosts.knownHostsLine(bastion) + "\n"
                + hosts.knownHostsLine(node, NODE) + "\n");

        agent = io.pgrds.harness.TestAgent.withLockedKey(dir, "id_locked", PASSPHRASE, "operator key");
        Path key = agent.key();
        agentSocket = agent.socket();
        hosts.authorize(bastion, agent.publicKey());
        hosts.authorize(node, agent.publicKey());

        hosts.initPrimary(node);
        fleet = new FleetRepo(dir.resolve("fleet"));
        fleet.commit("orderdata/integration", "ssh: {user: root, port: " + node.sshPort() + ", identityFile: " + key
                + ", knownHostsFile: " + knownHosts + ", become: runuser, jump: root@" + bastion.address() + ":"
                + bastion.sshPort() + "}\n"
                + "nodes:\n  - {host: " + NODE + ", name: pg1, postgres: {dataDirectory: " + node.dataDirectory()
                + ", port: " + node.pgPort() + "}}\n");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        hosts.nodes().forEach(hosts::reset);
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void statusReachesTheNodeThroughTheBastionWithTheAgentsKeyAndPrintsNothingOnStderr() throws Exception {
        CliIT.Run r = CliIT.pgrds(dir, Map.of("SSH_AUTH_SOCK", agentSocket.toString()), "--repo",
                fleet.dir().toString(), "status");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("", r.err());
        assertTrue(r.out().contains("  pg1 ") && r.out().contains("PRIMARY"), r.out());
    }

    @Test
    void withoutTheAgentTheNodeIsUnreachableSayingWhyAndNoLibraryLogReachesTheTerminal() throws Exception {
        Map<String, String> noAgent = new HashMap<>();
        noAgent.put("SSH_AUTH_SOCK", null);
        CliIT.Run r = CliIT.pgrds(dir, noAgent, "--repo", fleet.dir().toString(), "status");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("protected by a passphrase") && r.out().contains("ssh-add"), r.out());
        assertEquals("", r.err());

        // the same run with --debug shows the SSH library's own log: it was there, and silenced
        CliIT.Run debug = CliIT.pgrds(dir, noAgent, "--repo", fleet.dir().toString(), "status", "--debug");
        assertTrue(debug.err().contains("net.schmizz") || debug.err().contains("c.h.sshj")
                || debug.err().contains("n.s.sshj"), "the library logs under --debug:\n" + debug.err());
    }
}
