package io.pgrds.transport;

import io.pgrds.desired.NodeSpec;
import io.pgrds.transport.target.Become;
import io.pgrds.transport.target.SshSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the way to a node is put together from the cluster file's settings and an SSH client configuration. */
class SshRouteTest {
    @TempDir
    Path tmp;

    private Path config(String... lines) throws IOException {
        return Files.writeString(tmp.resolve("config"), String.join("\n", lines) + "\n");
    }

    private static SshSettings unset(Path config) {
        return new SshSettings(Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                Become.SUDO, Optional.empty(), Optional.of(config.toString()));
    }

    private static SshRoute route(String host, SshSettings s) {
        return SshRoute.resolve(new NodeSpec("n1", host, s, "/usr/lib/postgresql/15/bin", "/srv/pg/data", 5432),
                false);
    }

    @Test
    void theConfigurationFillsWhatTheClusterFileLeavesUnsetMatchingHostPatterns() throws IOException {
        Path cfg = config("Host db-*.example.com", "  HostName 10.1.2.3", "  User pgrds", "  Port 2222",
                "  IdentityFile ~/.ssh/id_pgrds", "  IdentitiesOnly yes", "  ProxyJump ops@bastion:2200,gw",
                "  StrictHostKeyChecking accept-new", "Host *", "  UserKnownHostsFile ~/.ssh/known_hosts_fleet");
        SshRoute r = route("db-1.example.com", unset(cfg));
        SshRoute.Hop node = r.node();
        assertEquals("10.1.2.3", node.hostName());
        assertEquals("pgrds", node.user());
        assertEquals(2222, node.port());
        assertEquals(List.of(SshRoute.userHome().resolve(".ssh/id_pgrds")), node.identityFiles());
        assertTrue(node.identitiesOnly());
        assertTrue(node.acceptNew());
        assertEquals(SshRoute.userHome().resolve(".ssh/known_hosts_fleet"), node.knownHosts());
        assertEquals("pgrds@db-1.example.com:2222", node.shown());
        assertEquals(List.of("ops@bastion:2200", System.getProperty("user.name") + "@gw:22"),
                r.jumps().stream().map(SshRoute.Hop::shown).toList());

        SshRoute other = route("other.example.com", unset(cfg));
        assertEquals("root@other.example.com:22", other.node().shown());
        assertEquals(List.of(), other.jumps());
        assertFalse(other.node().acceptNew());
    }

    @Test
    void theClusterFileWinsOverTheConfiguration() throws IOException {
        Path cfg = config("Host db-1", "  User pgrds", "  Port 2222", "  ProxyJump bastion",
                "  IdentityFile /etc/keys/from-config");
        SshSettings explicit = new SshSettings(Optional.of("deploy"), OptionalInt.of(22),
                Optional.of("/etc/keys/from-file"), Optional.empty(), Become.SUDO, Optional.of(List.of()),
                Optional.of(cfg.toString()));
        SshRoute r = route("db-1", explicit);
        assertEquals("deploy@db-1:22", r.node().shown());
        assertEquals(List.of(Path.of("/etc/keys/from-file")), r.node().identityFiles());
        assertEquals(List.of(), r.jumps(), "jump: [] overrides ProxyJump");

        SshRoute viaFile = route("db-1", explicit.withJump(List.of("admin@[fd00::1]:2201", "gw.example.com")));
        assertEquals(List.of("admin@fd00::1:2201", System.getProperty("user.name") + "@gw.example.com:22"),
                viaFile.jumps().stream().map(SshRoute.Hop::shown).toList());
        assertEquals("fd00::1", viaFile.jumps().get(0).hostName());
    }

    @Test
    void proxyJumpNoneMeansNoJumpHost() throws IOException {
        Path cfg = config("Host db-1", "  ProxyJump none", "Host *", "  ProxyJump bastion");
        assertEquals(List.of(), route("db-1", unset(cfg)).jumps());
        assertEquals(1, route("db-2", unset(cfg)).jumps().size());
    }

    @Test
    void aLoopIsRefusedBeforeAnythingIsContactedNamingTheWay() throws IOException {
        Path cfg = config("Host db-1", "  ProxyJump db-1");
        TransportException self = assertThrows(TransportException.class, () -> route("db-1", unset(cfg)));
        assertEquals(TransportException.Kind.LOCAL, self.kind());
        assertTrue(self.getMessage().contains("passes db-1:22 twice") && self.getMessage().contains("jump host loop")
                && self.getMessage().contains("ProxyJump in " + cfg), self.getMessage());

        SshSettings twice = unset(cfg).withJump(List.of("a", "b", "a"));
        TransportException e = assertThrows(TransportException.class, () -> route("db-1", twice));
        assertTrue(e.getMessage().contains("passes a:22 twice"), e.getMessage());
    }

    @Test
    void aMalformedJumpHostSaysWhatItShouldLookLike() throws IOException {
        Path cfg = config("");
        for (String bad : List.of("bastion:99999", "@bastion", "bastion:", "[fd00::1", "[fd00::1]x")) {
            TransportException e = assertThrows(TransportException.class,
                    () -> route("db-1", unset(cfg).withJump(List.of(bad))), bad);
            assertEquals(TransportException.Kind.LOCAL, e.kind());
            assertTrue(e.getMessage().contains("the jump host \"" + bad + "\" is not [user@]host[:port]"),
                    e.getMessage());
        }
    }

    @Test
    void includeAndMatchAreRefusedWithTheirLineRatherThanMisread() throws IOException {
        Path cfg = config("Host db-*", "  User pgrds", "", "Include ~/.ssh/config.d/*");
        TransportException e = assertThrows(TransportException.class, () -> route("db-1", unset(cfg)));
        assertEquals(TransportException.Kind.LOCAL, e.kind());
        assertTrue(e.getMessage().contains("uses Include at line 4, which pgrds does not read (only Host blocks)"),
                e.getMessage());
        Path match = config("Match host db-* exec \"true\"", "  User pgrds");
        assertTrue(assertThrows(TransportException.class, () -> route("db-1", unset(match))).getMessage()
                .contains("uses Match at line 1"));
    }

    @Test
    void aNamedConfigurationFileThatIsMissingIsALocalError() {
        SshSettings s = unset(tmp.resolve("missing-config"));
        TransportException e = assertThrows(TransportException.class, () -> route("db-1", s));
        assertEquals(TransportException.Kind.LOCAL, e.kind());
        assertTrue(e.getMessage().contains("the SSH configuration " + tmp.resolve("missing-config")
                + " does not exist. Fix ssh.configFile"), e.getMessage());
    }

    @Test
    void anAgentSocketThatIsMissingOrNotASocketIsNamed() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "");
        TransportException notSocket = assertThrows(TransportException.class, () -> SshAgent.at(file));
        assertTrue(notSocket.getMessage().startsWith("The ssh-agent socket " + file + " (SSH_AUTH_SOCK) is not a"
                + " socket. Start an agent"), notSocket.getMessage());
        TransportException missing = assertThrows(TransportException.class, () -> SshAgent.at(tmp.resolve("gone")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }
}
