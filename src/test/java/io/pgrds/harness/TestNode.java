package io.pgrds.harness;

import io.pgrds.transport.target.Become;
import io.pgrds.desired.NodeSpec;
import io.pgrds.transport.target.SshSettings;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One simulated server: its own loopback address, sshd port, PostgreSQL port and directories. Created and
 * owned by {@link TestHosts}; the operations on it (start PostgreSQL, stop sshd, ...) are there too.
 *
 * <pre>
 * ROOT/nodeN/          owned by postgres
 *   data/              the data directory (absent until initdb or a clone)
 *   run/               unix socket directory
 *   postgres.log       server log (pg_ctl -l)
 * ROOT/sshd/nodeN/     sshd_config, host key, authorized_keys, sshd.log
 * </pre>
 */
public final class TestNode {
    private final String name;
    private final String address;
    private final int sshPort;
    private final int pgPort;
    private final Path dir;
    private final Path clientKey;
    private final Path knownHosts;
    private final String binDir;
    final Sshd sshd;

    TestNode(String name, String address, int sshPort, int pgPort, Path dir, Path clientKey, Path knownHosts,
             String binDir, Sshd sshd) {
        this.name = name;
        this.address = address;
        this.sshPort = sshPort;
        this.pgPort = pgPort;
        this.dir = dir;
        this.clientKey = clientKey;
        this.knownHosts = knownHosts;
        this.binDir = binDir;
        this.sshd = sshd;
    }

    /** {@code node1}, {@code node2}, ... */
    public String name() {
        return name;
    }

    /** The node's own loopback address, e.g. {@code 127.0.0.10}: sshd and PostgreSQL listen there. */
    public String address() {
        return address;
    }

    public int sshPort() {
        return sshPort;
    }

    public int pgPort() {
        return pgPort;
    }

    /** The node's directory (owned by postgres). */
    public Path dir() {
        return dir;
    }

    public Path dataDirectory() {
        return dir.resolve("data");
    }

    public Path socketDirectory() {
        return dir.resolve("run");
    }

    public Path postgresLog() {
        return dir.resolve("postgres.log");
    }

    public Path sshdLog() {
        return sshd.log();
    }

    /** The public half of the node's current sshd host key ({@code ssh-ed25519 BASE64 comment}). */
    public Path hostPublicKey() {
        return sshd.hostKey().resolveSibling(sshd.hostKey().getFileName() + ".pub");
    }

    /** The PostgreSQL binaries the harness uses (and {@link #spec()} names). */
    public String binDir() {
        return binDir;
    }

    /** How pgrds reaches this node: root with the harness's client key, its known_hosts, runuser for postgres. */
    public SshSettings ssh() {
        return new SshSettings("root", sshPort, Optional.of(clientKey.toString()), Optional.of(knownHosts.toString()),
                Become.RUNUSER);
    }

    /** This node as pgrds sees it. */
    public NodeSpec spec() {
        return specWith(ssh(), binDir);
    }

    /** This node with other SSH settings (another key, known_hosts file, user or way to become postgres). */
    public NodeSpec spec(SshSettings ssh) {
        return specWith(ssh, binDir);
    }

    /**
     * This node with another PostgreSQL bin directory; a directory that does not exist makes the node look like
     * one without PostgreSQL installed (NO_POSTGRES).
     */
    public NodeSpec specWithBinDir(String otherBinDir) {
        return specWith(ssh(), otherBinDir);
    }

    private NodeSpec specWith(SshSettings ssh, String bin) {
        return new NodeSpec(name, address, ssh, bin, dataDirectory().toString(), pgPort);
    }

    @Override
    public String toString() {
        return name + "(" + address + ")";
    }
}
