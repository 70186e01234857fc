package io.pgrds.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgrds.error.PgrdsException;

/**
 * Fetches over SSH from a real OpenSSH sshd on the loopback address, through the system's ssh client
 * as configured by {@code GIT_SSH_COMMAND}. Skipped where sshd cannot run (no sshd binary, or running
 * as root without sshd's privilege separation directory /run/sshd).
 */
class GitSourceSshIT {
    private static final PersonIdent AUTHOR =
            new PersonIdent("Platform Team", "platform@example.com", Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final String INTEGRATION = "clusters/orderdata/integration.yaml";

    @TempDir
    static Path dir;
    private static Process sshd;
    private static int port;
    private static Map<String, String> environment;

    @BeforeAll
    static void startSshd() throws Exception {
        Path binary = Path.of("/usr/sbin/sshd");
        assumeTrue(Files.isExecutable(binary), "no OpenSSH sshd at " + binary);
        assumeTrue(!"root".equals(System.getProperty("user.name")) || Files.isDirectory(Path.of("/run/sshd")),
                "sshd run as root needs its privilege separation directory /run/sshd");
        keygen(dir.resolve("host_key"));
        keygen(dir.resolve("client_key"));
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UsePAM no",
                // bash reads root's ~/.bashrc for an SSH command unless SHLVL is set; this machine's runs pyenv
                "SetEnv SHLVL=1",
                "") );
        Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + port + " " + Files.readString(dir.resolve("host_key.pub")));
        sshd = new ProcessBuilder(binary.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile())
                .start();
        awaitListening();
        environment = Map.of("GIT_SSH_COMMAND", "ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes"
                + " -i " + dir.resolve("client_key")
                + " -o UserKnownHostsFile=" + dir.resolve("known_hosts")
                + " -o StrictHostKeyChecking=yes");
    }

    @AfterAll
    static void stopSshd() throws InterruptedException {
        if (sshd != null) {
            sshd.destroy();
            sshd.waitFor();
        }
    }

    @Test
    void aRemoteIsFetchedOverSshWithTheSystemClient() throws Exception {
        Path origin = dir.resolve("origin-a");
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call()) {
            RevCommit first = commit(git, "version: 15\n");
            String url = "ssh://" + System.getProperty("user.name") + "@127.0.0.1:" + port + origin;

            Snapshot before = GitSource.read(url, null, dir.resolve("cache"), environment);
            RevCommit second = commit(git, "version: 16\n");
            Snapshot after = GitSource.read(url, "main", dir.resolve("cache"), environment);

            assertEquals(Optional.of(first.name()), before.commit());
            assertEquals("version: 15\n", new String(before.files().get(INTEGRATION), UTF_8));
            assertEquals(Optional.of(second.name()), after.commit());
            assertEquals("version: 16\n", new String(after.files().get(INTEGRATION), UTF_8));
            assertEquals(List.of(), after.warnings());
        }
    }

    @Test
    void aMissingRepositoryOnTheServerIsAnErrorNamingIt() {
        Path missing = dir.resolve("no-such-origin");
        String url = "ssh://127.0.0.1:" + port + missing;

        PgrdsException e = org.junit.jupiter.api.Assertions.assertThrows(PgrdsException.class,
                () -> GitSource.read(url, null, dir.resolve("cache"), environment));

        assertEquals("unable to fetch " + url + ": fatal: '" + missing + "' does not appear to be a git repository;"
                + " check the URL, the network and the credentials", e.getMessage());
    }

    private static RevCommit commit(Git git, String content) throws Exception {
        Path file = git.getRepository().getWorkTree().toPath().resolve(INTEGRATION);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        git.add().addFilepattern(INTEGRATION).call();
        return git.commit().setMessage("set " + content.strip()).setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false)
                .call();
    }

    private static void keygen(Path key) throws IOException, InterruptedException {
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        String output = new String(keygen.getInputStream().readAllBytes(), UTF_8);
        assertEquals(0, keygen.waitFor(), output);
    }

    private static void awaitListening() throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!sshd.isAlive()) {
                throw new IllegalStateException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("sshd did not listen on port " + port + ": "
                + Files.readString(dir.resolve("sshd.log")));
    }
}
