package io.pgrds.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real ssh-agent for a test, on its own socket, holding a key protected by a passphrase that was added with
 * ssh-add through an askpass program (as a desktop session gives it). Stopped on {@link #close()}, and by the
 * harness's cleanup even when the test fails.
 */
public final class TestAgent implements AutoCloseable {
    private final Process agent;
    private final Path socket;
    private final Path key;

    private TestAgent(Process agent, Path socket, Path key) {
        this.agent = agent;
        this.socket = socket;
        this.key = key;
    }

    /** Generates {@code dir/name} with {@code passphrase}, starts an agent in {@code dir} and adds the key to it. */
    public static TestAgent withLockedKey(Path dir, String name, String passphrase, String comment)
            throws IOException, InterruptedException {
        Path key = dir.resolve(name);
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", key.toString()),
                Map.of());
        Path socket = dir.resolve("agent.sock");
        Process agent = TestHosts.startTracked(new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()));
        TestAgent a = new TestAgent(agent, socket, key);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        if (!Files.exists(socket)) {
            a.close();
            throw new IllegalStateException("ssh-agent did not create its socket " + socket);
        }
        Path askpass = Files.writeString(dir.resolve("askpass"), "#!/bin/sh\necho '" + passphrase + "'\n");
        Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwx------"));
        run(List.of("ssh-add", key.toString()), Map.of("SSH_AUTH_SOCK", socket.toString(), "SSH_ASKPASS",
                askpass.toString(), "SSH_ASKPASS_REQUIRE", "force", "DISPLAY", ":0"));
        String listed = run(List.of("ssh-add", "-l"), Map.of("SSH_AUTH_SOCK", socket.toString()));
        if (!listed.contains(comment)) {
            a.close();
            throw new IllegalStateException("the agent does not hold the key: " + listed);
        }
        return a;
    }

    public Path socket() {
        return socket;
    }

    /** The private key file (protected by the passphrase). */
    public Path key() {
        return key;
    }

    /** The public key line (type, base64, comment). */
    public String publicKey() throws IOException {
        return Files.readString(Path.of(key + ".pub")).strip();
    }

    @Override
    public void close() throws InterruptedException {
        agent.destroy();
        agent.waitFor(5, TimeUnit.SECONDS);
    }

    private static String run(List<String> argv, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(argv + " failed: " + out);
        }
        return out;
    }
}
