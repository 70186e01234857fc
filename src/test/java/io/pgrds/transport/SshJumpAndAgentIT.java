package io.pgrds.transport;

import io.pgrds.desired.NodeSpec;
import io.pgrds.harness.Keys;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.transport.NodeShell.Exec;
import io.pgrds.transport.target.Become;
import io.pgrds.transport.target.SshSettings;
import io.pgrds.transport.target.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reaching nodes the way operators do, against real sshd processes: a bastion in front of nodes this machine cannot
 * reach directly (their names resolve only on the bastion, as on a private network; each bastion's sshd runs in a
 * mount namespace with its own /etc/hosts), a chain of two jump hosts, an SSH client configuration with host
 * patterns, and a real ssh-agent holding a key protected by a passphrase.
 */
class SshJumpAndAgentIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(3);

    /** Resolves on the bastion only: the inner jump host, and the target. */
    static final String INNER = "inner.pgrds-it.invalid";
    static final String TARGET = "target.pgrds-it.invalid";
    /** Resolves on the inner jump host only. */
    static final String DEEP = "deep.pgrds-it.invalid";
    static final String PASSPHRASE = "correct horse battery staple";

    static TestNode bastion;
    static TestNode inner;
    static TestNode target;
    static Path dir;
    static Path knownHosts;
    static Path noConfig;
    static Path lockedKey;
    static Path agentSocket;
    static io.pgrds.harness.TestAgent agent;

    @BeforeAll
    static void topology() throws Exception {
        bastion = hosts.node(0);
        inner = hosts.node(1);
        target = hosts.node(2);
        dir = Files.createDirectories(hosts.root().resolve("jump-and-agent"));
        hosts.resolveOnlyThere(bastion, Map.of(INNER, inner.address(), TARGET, target.address()));
        hosts.resolveOnlyThere(inner, Map.of(DEEP, target.address()));

        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, String.join("\n", hosts.knownHostsLine(bastion),
                hosts.knownHostsLine(inner, INNER), hosts.knownHostsLine(target, TARGET),
                hosts.knownHostsLine(target, DEEP), hosts.knownHostsLine(target)) + "\n");
        noConfig = Files.writeString(dir.resolve("empty_ssh_config"), "");

        // a real agent holding a key protected by a passphrase, added through askpass
        agent = io.pgrds.harness.TestAgent.withLockedKey(dir, "locked_ed25519", PASSPHRASE, "pgrds-it locked");
        lockedKey = agent.key();
        agentSocket = agent.socket();
        hosts.authorize(bastion, agent.publicKey());
        hosts.authorize(target, agent.publicKey());
    }

    @AfterAll
    static void stopAgent() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
    }

    // ---- jump hosts ------------------------------------------------------------------------------------

    @Test
    void aNodeThatOnlyTheBastionCanReachIsReachedThroughIt() {
        TransportException direct = assertThrows(TransportException.class,
                () -> open(node(TARGET, settings(List.of())), noAgent()).close());
        assertEquals(TransportException.Kind.LOCAL, direct.kind(), direct.getMessage());
        assertTrue(direct.getMessage().contains("unknown host " + TARGET), direct.getMessage());

        try (NodeShell shell = open(node(TARGET, settings(List.of(hop(bastion)))), noAgent())) {
            assertServedBy(shell, target);
            assertTrue(shell.describe().contains("via root@" + bastion.address()), shell.describe());
        }
    }

    @Test
    void aChainOfTwoJumpHostsReachesWhatOnlyTheInnerOneCanResolve() {
        TransportException oneHop = assertThrows(TransportException.class,
                () -> open(node(DEEP, settings(List.of(hop(bastion)))), noAgent()).close());
        assertTrue(oneHop.getMessage().contains(DEEP), oneHop.getMessage());
        TransportException innerDirect = assertThrows(TransportException.class,
                () -> open(node(INNER, settings(List.of())), noAgent()).close());
        assertTrue(innerDirect.getMessage().contains("unknown host " + INNER), innerDirect.getMessage());

        try (NodeShell shell = open(node(DEEP, settings(List.of(hop(bastion),
                "root@" + INNER + ":" + inner.sshPort()))), noAgent())) {
            assertServedBy(shell, target);
            // tunnels run through the chain as well: SQL reaches the node's PostgreSQL at the local end
            hosts.initPrimary(target);
            try {
                NodeShell.Endpoint endpoint = shell.tunnel(target.address(), target.pgPort());
                java.util.Properties props = new java.util.Properties();
                props.setProperty("user", "postgres");
                props.setProperty("connectTimeout", "10");
                try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://"
                        + endpoint.host() + ":" + endpoint.port() + "/postgres", props);
                     java.sql.ResultSet rs = c.createStatement().executeQuery("select host(inet_server_addr())")) {
                    assertTrue(rs.next());
                    assertEquals(target.address(), rs.getString(1));
                }
            } catch (java.sql.SQLException e) {
                throw new AssertionError("SQL through the tunnel: " + e.getMessage(), e);
            } finally {
                hosts.reset(target);
            }
        }
    }

    @Test
    void theSshConfigurationSuppliesUserPortKeyKnownHostsAndProxyJumpByHostPattern() throws IOException {
        Path config = Files.writeString(dir.resolve("ssh_config"), String.join("\n",
                "# as an operator's ~/.ssh/config would have it",
                "Host *.pgrds-it.invalid",
                "  User root",
                "  Port " + target.sshPort(),
                "  IdentityFile " + hosts.clientKey(),
                "  IdentitiesOnly yes",
                "  ProxyJump root@" + bastion.address() + ":" + bastion.sshPort(),
                "  UserKnownHostsFile " + knownHosts,
                "Host " + bastion.address(),
                "  IdentityFile " + hosts.clientKey(),
                "  UserKnownHostsFile " + knownHosts,
                "") + "\n");
        SshSettings fromConfig = new SshSettings(Optional.empty(), OptionalInt.empty(), Optional.empty(),
                Optional.empty(), Become.RUNUSER, Optional.empty(), Optional.of(config.toString()));
        try (NodeShell shell = open(node(TARGET, fromConfig), noAgent())) {
            assertServedBy(shell, target);
            assertEquals("root\n", shell.exec(Exec.of("id", "-un")).stdout());
        }
        // the cluster file wins over the configuration: no jump host there, so the name does not resolve
        TransportException direct = assertThrows(TransportException.class,
                () -> open(node(TARGET, fromConfig.withJump(List.of())), noAgent()).close());
        assertTrue(direct.getMessage().contains("unknown host " + TARGET), direct.getMessage());
    }

    @Test
    void anUnreachableJumpHostIsNamedAndSaysNothingAboutTheNode() {
        String dead = "root@" + bastion.address() + ":" + (bastion.sshPort() + 1);
        TransportException e = assertThrows(TransportException.class,
                () -> open(node(TARGET, settings(List.of(dead))), noAgent()).close());
        assertEquals(TransportException.Kind.JUMP, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("Unable to connect to jump host " + dead + " (hop 1 of 2 on the way to"
                + " root@" + TARGET), e.getMessage());
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }

    @Test
    void aChangedHostKeyOfTheJumpHostIsRefusedEvenWhenNewKeysAreAccepted() throws IOException {
        Path impostor = dir.resolve("impostor");
        String otherKey = Keys.generate(impostor, "pgrds-it impostor");
        Path wrong = Files.writeString(dir.resolve("known_hosts_wrong"), "[" + bastion.address() + "]:"
                + bastion.sshPort() + " " + otherKey + "\n" + hosts.knownHostsLine(target, TARGET) + "\n");
        SshSettings s = new SshSettings(Optional.of("root"), OptionalInt.of(target.sshPort()),
                Optional.of(hosts.clientKey().toString()), Optional.of(wrong.toString()), Become.RUNUSER,
                Optional.of(List.of(hop(bastion))), Optional.of(noConfig.toString()));
        TransportException e = assertThrows(TransportException.class,
                () -> open(node(TARGET, s), noAgent().withAcceptNewHostKeys(true)).close());
        assertEquals(TransportException.Kind.LOCAL, e.kind());
        assertTrue(e.getMessage().startsWith("REFUSING to connect to jump host root@" + bastion.address()),
                e.getMessage());
    }

    @Test
    void aJumpHostLoopIsRefusedBeforeAnythingIsContacted() {
        TransportException e = assertThrows(TransportException.class,
                () -> open(node(TARGET, settings(List.of(hop(bastion), hop(bastion)))), noAgent()).close());
        assertEquals(TransportException.Kind.LOCAL, e.kind());
        assertTrue(e.getMessage().contains("twice") && e.getMessage().contains("loop"), e.getMessage());
    }

    // ---- the agent -------------------------------------------------------------------------------------

    @Test
    void aKeyProtectedByAPassphraseWorksThroughTheAgentOnEveryHop() {
        SshSettings locked = new SshSettings(Optional.of("root"), OptionalInt.of(target.sshPort()),
                Optional.of(lockedKey.toString()), Optional.of(knownHosts.toString()), Become.RUNUSER,
                Optional.of(List.of(hop(bastion))), Optional.of(noConfig.toString()));
        ShellOptions withAgent = noAgent().withAgentSocket(Optional.of(agentSocket));
        try (NodeShell shell = open(node(TARGET, locked), withAgent)) {
            assertServedBy(shell, target);
        }
    }

    @Test
    void withoutTheAgentAKeyProtectedByAPassphraseIsNeverPromptedForAndTheMessageSaysWhatToDo() {
        SshSettings locked = new SshSettings(Optional.of("root"), OptionalInt.of(target.sshPort()),
                Optional.of(lockedKey.toString()), Optional.of(knownHosts.toString()), Become.RUNUSER,
                Optional.of(List.of()), Optional.of(noConfig.toString()));
        NodeSpec direct = new NodeSpec(target.name(), target.address(), locked, target.binDir(),
                target.dataDirectory().toString(), target.pgPort());
        TransportException e = assertThrows(TransportException.class, () -> open(direct, noAgent()).close());
        assertEquals(TransportException.Kind.LOCAL, e.kind());
        assertTrue(e.getMessage().contains("protected by a passphrase") && e.getMessage().contains("ssh-add "
                + lockedKey), e.getMessage());
    }

    @Test
    void anAgentSocketThatIsNotASocketIsALocalErrorNamingIt() throws IOException {
        Path notASocket = Files.writeString(dir.resolve("not-a-socket"), "");
        TransportException e = assertThrows(TransportException.class, () -> open(node(TARGET,
                settings(List.of(hop(bastion)))), noAgent().withAgentSocket(Optional.of(notASocket))).close());
        assertEquals(TransportException.Kind.LOCAL, e.kind());
        assertTrue(e.getMessage().startsWith("The ssh-agent socket " + notASocket + " (SSH_AUTH_SOCK) is not a"
                + " socket."), e.getMessage());
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private static String hop(TestNode jump) {
        return "root@" + jump.address() + ":" + jump.sshPort();
    }

    /** The harness key and the test's known_hosts for every hop, no SSH configuration, these jump hosts. */
    private static SshSettings settings(List<String> jump) {
        return new SshSettings(Optional.of("root"), OptionalInt.of(target.sshPort()),
                Optional.of(hosts.clientKey().toString()), Optional.of(knownHosts.toString()), Become.RUNUSER,
                Optional.of(jump), Optional.of(noConfig.toString()));
    }

    private static NodeSpec node(String host, SshSettings ssh) {
        return new NodeSpec(target.name(), host, ssh, target.binDir(), target.dataDirectory().toString(),
                target.pgPort());
    }

    private static ShellOptions noAgent() {
        return ShellOptions.defaults().withConnectTimeout(Duration.ofSeconds(5)).withAgentSocket(Optional.empty());
    }

    private static NodeShell open(NodeSpec spec, ShellOptions options) {
        return NodeShells.open(Transport.SSH, spec, options);
    }

    /** The command ran on {@code node}'s sshd: SSH_CONNECTION names the server's address. */
    private static void assertServedBy(NodeShell shell, TestNode node) {
        String connection = shell.exec(Exec.of("sh", "-c", "echo $SSH_CONNECTION")).stdout().strip();
        String[] f = connection.split(" ");
        assertEquals(4, f.length, connection);
        assertEquals(node.address(), f[2], "served by " + connection);
        assertEquals(Integer.toString(node.sshPort()), f[3], connection);
    }
}
