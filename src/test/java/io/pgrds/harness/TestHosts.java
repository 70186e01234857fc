package io.pgrds.harness;

import io.pgrds.transport.target.Transport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Test servers on this machine for integration tests: N nodes, each with its own loopback address
 * (127.0.0.10 and up), a real OpenSSH sshd, a PostgreSQL port and directories, plus raw helpers (initdb,
 * pg_ctl, pg_basebackup, psql; nothing from pgrds) that put PostgreSQL into the states a test needs.
 *
 * <pre>
 * class SomethingIT {
 *     &#64;RegisterExtension
 *     static final TestHosts hosts = TestHosts.create(2);
 *
 *     &#64;Test
 *     void standbyFollowsPrimary() {
 *         TestNode primary = hosts.node(0), standby = hosts.node(1);
 *         hosts.initPrimary(primary);
 *         hosts.cloneStandby(primary, standby);
 *         try (NodeShell shell = NodeShells.open(Transport.SSH, standby.spec(), ShellOptions.defaults())) { ... }
 *     }
 * }
 * </pre>
 *
 * Register it on a <b>static</b> field: sshd starts once per test class (before all), and everything started
 * (sshd, PostgreSQL) is stopped after all tests of the class, also when they fail; a JVM shutdown hook is the
 * backstop. jqwik properties (which do not run JUnit extensions) call {@link #start()} and {@link #close()}
 * from {@code @BeforeContainer} / {@code @AfterContainer}.
 *
 * <p>Needs root (sshd, runuser), OpenSSH's sshd and ssh-keygen, and PostgreSQL binaries. System properties:
 * {@value #ADDRESSES_PROPERTY} (default {@code 10-99}: last octets to lease from, shared safely with other test
 * runs through lock files), {@value #PG_BIN_PROPERTY} (default {@code /usr/lib/postgresql/15/bin}),
 * {@value #KEEP_PROPERTY} ({@code true} keeps the temporary directory for a post-mortem).
 */
public final class TestHosts implements BeforeAllCallback, AfterAllCallback, TestWatcher, AutoCloseable {
    public static final String ADDRESSES_PROPERTY = "pgrds.it.addresses";
    public static final String PG_BIN_PROPERTY = "pgrds.it.pgBin";
    public static final String KEEP_PROPERTY = "pgrds.it.keep";

    private static final Duration REPLICATION_TIMEOUT = Duration.ofSeconds(60);

    private final int count;
    private int firstOctet;
    private int lastOctet;
    private int sshPort = 2222;
    private int pgPort = 5432;
    private final String pgBin = System.getProperty(PG_BIN_PROPERTY, "/usr/lib/postgresql/15/bin");

    private final List<AddressPool.Lease> leases = new ArrayList<>();
    private final List<TestNode> nodes = new ArrayList<>();
    private Path root;
    private Path clientKey;
    private Path knownHosts;
    private long sshdStartMillis;
    private boolean started;

    private TestHosts(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one node");
        }
        this.count = count;
        String range = System.getProperty(ADDRESSES_PROPERTY, "10-99");
        String[] bounds = range.split("-");
        this.firstOctet = Integer.parseInt(bounds[0].trim());
        this.lastOctet = Integer.parseInt(bounds[bounds.length - 1].trim());
    }

    /** {@code count} nodes, started before all tests of the class that registers it. */
    public static TestHosts create(int count) {
        return new TestHosts(count);
    }

    /** Lease addresses from 127.0.0.{@code first} to 127.0.0.{@code last} instead of the default range. */
    public TestHosts addresses(int first, int last) {
        this.firstOctet = first;
        this.lastOctet = last;
        return this;
    }

    /** The sshd port on every node's address (default 2222). */
    public TestHosts sshPort(int port) {
        this.sshPort = port;
        return this;
    }

    /** The PostgreSQL port on every node's address (default 5432). */
    public TestHosts pgPort(int port) {
        this.pgPort = port;
        return this;
    }

    // ---- lifecycle ------------------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (started) {
            System.err.println("pgrds harness: " + context.getDisplayName() + " failed; node logs follow\n"
                    + diagnostics());
        }
    }

    /** Leases addresses, makes keys and directories, starts one sshd per node and waits until all listen. */
    public synchronized TestHosts start() {
        if (started) {
            return this;
        }
        checkPrerequisites();
        try {
            leases.addAll(AddressPool.lease(count, firstOctet, lastOctet, sshPort, pgPort));
            root = Files.createTempDirectory("pgrds-it-");
            Cleanup.registerRoot(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            clientKey = root.resolve("client_ed25519");
            String clientPublic = Keys.generate(clientKey, "pgrds-it client");
            knownHosts = root.resolve("known_hosts");

            for (int i = 0; i < count; i++) {
                String name = "node" + (i + 1);
                String address = leases.get(i).address;
                Path dir = root.resolve(name);
                Files.createDirectories(dir.resolve("run"));
                postgresOwns(dir);
                postgresOwns(dir.resolve("run"));
                Sshd sshd = new Sshd(address, sshPort, root.resolve("sshd").resolve(name));
                sshd.prepare(clientPublic);
                nodes.add(new TestNode(name, address, sshPort, pgPort, dir, clientKey, knownHosts, pgBin, sshd));
            }
            trustHostKeys();

            long t0 = System.nanoTime();
            nodes.forEach(n -> n.sshd.launch());
            nodes.forEach(n -> n.sshd.awaitListening());
            sshdStartMillis = (System.nanoTime() - t0) / 1_000_000;
            started = true;
            System.out.println("pgrds harness: " + nodes.stream().map(TestNode::toString).collect(Collectors.joining(", "))
                    + " with sshd on port " + sshPort + " up in " + sshdStartMillis + " ms (" + root + ")");
            return this;
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Stops every PostgreSQL and sshd of these hosts, deletes the directories and releases the addresses. */
    @Override
    public synchronized void close() {
        List<String> problems = new ArrayList<>();
        for (TestNode node : nodes) {
            try {
                stopQuickly(node);
            } catch (RuntimeException e) {
                problems.add(node + ": " + e.getMessage());
            }
            node.sshd.stop();
        }
        nodes.clear();
        if (root != null) {
            if (Boolean.getBoolean(KEEP_PROPERTY)) {
                System.out.println("pgrds harness: kept " + root);
            } else {
                Cleanup.deleteTree(root);
            }
            Cleanup.unregisterRoot(root);
            root = null;
        }
        leases.forEach(AddressPool.Lease::close);
        leases.clear();
        started = false;
        if (!problems.isEmpty()) {
            throw new IllegalStateException("pgrds harness: trouble stopping PostgreSQL: " + problems);
        }
    }

    // ---- nodes ----------------------------------------------------------------------------------------

    public List<TestNode> nodes() {
        return List.copyOf(nodes);
    }

    /** The node at {@code index}, counting from 0 ({@code node(0)} is {@code node1}). */
    public TestNode node(int index) {
        return nodes.get(index);
    }

    /** The temporary directory holding everything of these hosts. */
    public Path root() {
        return root;
    }

    /** The private key every node's sshd accepts for root. */
    public Path clientKey() {
        return clientKey;
    }

    /** A known_hosts file listing every node's host key ({@code [address]:port} entries). */
    public Path knownHosts() {
        return knownHosts;
    }

    /** How long the sshd of all nodes took to start and listen, in milliseconds. */
    public long sshdStartMillis() {
        return sshdStartMillis;
    }

    // ---- reachability ---------------------------------------------------------------------------------

    /** Stops the node's sshd (and drops its open SSH connections): it is UNREACHABLE. PostgreSQL keeps running. */
    public void makeUnreachable(TestNode node) {
        node.sshd.stop();
    }

    /** Starts the node's sshd again and waits until it listens. */
    public void makeReachable(TestNode node) {
        node.sshd.start();
    }

    /**
     * Restarts the node's sshd in a mount namespace of its own whose /etc/hosts also maps {@code names} (name to
     * address): like a bastion on a private network, it can reach hosts by names this machine cannot resolve.
     */
    public void resolveOnlyThere(TestNode node, java.util.Map<String, String> names) {
        try {
            StringBuilder hosts = new StringBuilder(Files.readString(Path.of("/etc/hosts")));
            if (hosts.length() > 0 && hosts.charAt(hosts.length() - 1) != '\n') {
                hosts.append('\n');
            }
            names.forEach((name, address) -> hosts.append(address).append(' ').append(name).append('\n'));
            Path file = root.resolve(node.name() + "-hosts");
            Files.writeString(file, hosts.toString());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            node.sshd.stop();
            node.sshd.useHostsFile(file);
            node.sshd.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes the node one where systemd runs, for pgrds ({@link SystemdFake}): restarts its sshd in a mount namespace
     * where {@code /run/systemd/system} exists and {@code systemctl} is the fake. Call before pgrds first observes it.
     */
    public SystemdFake systemd(TestNode node) {
        SystemdFake fake = SystemdFake.install(root.resolve("systemd").resolve(node.name()), pgBin);
        // servers the fake starts are killed with the rest, also when a test fails
        Cleanup.registerDataDirectory(node.dataDirectory());
        node.sshd.stop();
        node.sshd.bind(fake.runDirectory(), "/run/systemd");
        node.sshd.bind(fake.script(), "/usr/bin/systemctl");
        node.sshd.start();
        return fake;
    }

    /** Starts a helper process (an ssh-agent) that is killed with everything else the harness started, even on failure. */
    public static Process startTracked(ProcessBuilder builder) throws IOException {
        Process p = builder.start();
        Cleanup.register(p);
        return p;
    }

    /** Lets {@code publicKeyLine} log in to the node's sshd as any user, beside the harness key. */
    public void authorize(TestNode node, String publicKeyLine) {
        try {
            Files.writeString(node.sshd.authorizedKeys(), publicKeyLine + "\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The node's current host key as a known_hosts line for another name: {@code [name]:port type BASE64}. */
    public String knownHostsLine(TestNode node, String name) {
        String line = knownHostsLine(node);
        return "[" + name + "]:" + node.sshPort() + line.substring(line.indexOf(' '));
    }

    /**
     * Gives the node's sshd a new host key (as a reinstalled server would have) and restarts it; the harness
     * known_hosts keeps the old key until {@link #trustHostKeys()}. Returns the new public key line.
     */
    public String rotateHostKey(TestNode node) {
        node.sshd.stop();
        String key = node.sshd.newHostKey();
        node.sshd.start();
        return key;
    }

    /** Rewrites the harness known_hosts from every node's current host key. */
    public void trustHostKeys() {
        StringBuilder text = new StringBuilder();
        for (TestNode node : nodes) {
            text.append(knownHostsLine(node)).append('\n');
        }
        try {
            Files.writeString(knownHosts, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The known_hosts line for the node's current host key: {@code [address]:port ssh-ed25519 BASE64}. */
    public String knownHostsLine(TestNode node) {
        try {
            Path pub = node.sshd.hostKey().resolveSibling(node.sshd.hostKey().getFileName() + ".pub");
            String[] fields = Files.readString(pub).trim().split("\\s+");
            return "[" + node.address() + "]:" + node.sshPort() + " " + fields[0] + " " + fields[1];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- PostgreSQL, with raw commands as the postgres OS user -----------------------------------------

    /** initdb (checksums, trust for 127.0.0.0/8 including replication) and start: a running primary. */
    public void initPrimary(TestNode node) {
        Path data = node.dataDirectory();
        requireNoData(node);
        Cmd.asPostgres(bin(node, "initdb"), "-D", data.toString(), "-k", "-N", "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions");
        append(data.resolve("postgresql.conf"), String.join("\n",
                "",
                "# pgrds test harness: settings for every node (a clone copies them)",
                "fsync = off",
                "shared_buffers = 32MB",
                "max_connections = 50",
                "wal_keep_size = '128MB'",
                ""));
        append(data.resolve("pg_hba.conf"), String.join("\n",
                "",
                "# pgrds test harness: every test node may connect and replicate",
                "host    all             all             127.0.0.0/8             trust",
                "host    replication     all             127.0.0.0/8             trust",
                ""));
        configureNode(node);
        start(node);
    }

    /** A base backup of {@code from} into {@code to} with {@code -R} (standby.signal, primary_conninfo), started. */
    public void cloneStandby(TestNode from, TestNode to) {
        requireNoData(to);
        Cmd.asPostgres(bin(to, "pg_basebackup"), "-h", from.address(), "-p", Integer.toString(from.pgPort()),
                "-U", "postgres", "-D", to.dataDirectory().toString(), "-R", "-X", "stream", "-c", "fast", "-N");
        configureNode(to);
        start(to);
    }

    /** pg_ctl start, waiting until the server accepts connections. */
    public void start(TestNode node) {
        Cleanup.registerDataDirectory(node.dataDirectory());
        Cmd.asPostgres(bin(node, "pg_ctl"), "-D", node.dataDirectory().toString(), "-l", node.postgresLog().toString(),
                "-w", "-t", "60", "start");
    }

    /** pg_ctl stop in fast mode, waiting until the server is down. */
    public void stop(TestNode node) {
        Optional<ProcessHandle> postmaster = Cleanup.postmaster(node.dataDirectory());
        Cmd.asPostgres(bin(node, "pg_ctl"), "-D", node.dataDirectory().toString(), "-m", "fast", "-w", "-t", "60",
                "stop");
        postmaster.ifPresent(TestHosts::awaitExit);
    }

    /** SIGKILL to the postmaster and all its processes: a crash. The data directory keeps its postmaster.pid. */
    public void kill(TestNode node) {
        Cleanup.killPostmaster(node.dataDirectory());
    }

    /** Whether a postmaster runs on the node's data directory. */
    public boolean isRunning(TestNode node) {
        return Cleanup.postmaster(node.dataDirectory()).isPresent();
    }

    /** Runs SQL with psql over the node's unix socket as postgres; returns the unaligned, tuples-only output. */
    public String psql(TestNode node, String sql) {
        String out = Cmd.asPostgres(bin(node, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", node.socketDirectory().toString(), "-p", Integer.toString(node.pgPort()), "-U", "postgres",
                "-d", "postgres", "-c", sql);
        return out.strip();
    }

    /** Waits until {@code primary} streams WAL to {@code standby} (pg_stat_replication, by cluster_name). */
    public void awaitStreaming(TestNode primary, TestNode standby) {
        long deadline = System.nanoTime() + REPLICATION_TIMEOUT.toNanos();
        String sql = "select state from pg_stat_replication where application_name = '" + standby.name() + "'";
        String state = "";
        while (System.nanoTime() < deadline) {
            state = psql(primary, sql);
            if (state.equals("streaming")) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException(standby + " is not streaming from " + primary + " after "
                + REPLICATION_TIMEOUT + " (state '" + state + "')\n" + Cleanup.tail(standby.postgresLog(), 30));
    }

    /** Back to a node with no data: PostgreSQL stopped (immediate), data directory deleted, sshd running. */
    public void reset(TestNode node) {
        stopQuickly(node);
        Cleanup.deleteTree(node.dataDirectory());
        if (!node.sshd.running()) {
            node.sshd.start();
        }
    }

    /**
     * Runs a raw command on this machine as root (no pgrds code involved), for tests to check what pgrds did;
     * returns stdout and stderr together and fails unless it exits 0.
     */
    public String run(String... argv) {
        return Cmd.ok(argv);
    }

    /** Like {@link #run} but returns the exit status and output instead of failing. */
    public Cmd.Result tryRun(String... argv) {
        return Cmd.run(Cmd.DEFAULT_TIMEOUT, List.of(argv));
    }

    /** Recent lines of every node's sshd and PostgreSQL log. */
    public String diagnostics() {
        StringBuilder text = new StringBuilder();
        for (TestNode node : nodes) {
            text.append("== ").append(node).append('\n')
                    .append(node.sshd.logTail()).append('\n')
                    .append(Cleanup.tail(node.postgresLog(), 40)).append('\n');
        }
        return text.toString();
    }

    // ---- internals -----------------------------------------------------------------------------------

    private void stopQuickly(TestNode node) {
        Optional<ProcessHandle> postmaster = Cleanup.postmaster(node.dataDirectory());
        if (postmaster.isPresent()) {
            Cmd.Result result = Cmd.run(Duration.ofSeconds(30), Cmd.postgres(List.of(bin(node, "pg_ctl"), "-D",
                    node.dataDirectory().toString(), "-m", "immediate", "-w", "-t", "20", "stop")));
            awaitExit(postmaster.get());
            if (isRunning(node)) {
                Cleanup.killPostmaster(node.dataDirectory());
            }
            if (isRunning(node)) {
                throw new IllegalStateException("PostgreSQL still runs on " + node.dataDirectory() + ": "
                        + result.describe());
            }
        }
        Cleanup.unregisterDataDirectory(node.dataDirectory());
    }

    /** Settings that differ per node; appended last so they win over those a clone copied from its source. */
    private static void configureNode(TestNode node) {
        append(node.dataDirectory().resolve("postgresql.conf"), String.join("\n",
                "",
                "# pgrds test harness: " + node.name(),
                "listen_addresses = '" + node.address() + "'",
                "port = " + node.pgPort(),
                "unix_socket_directories = '" + node.socketDirectory() + "'",
                "cluster_name = '" + node.name() + "'",
                ""));
    }

    private static void requireNoData(TestNode node) {
        Path data = node.dataDirectory();
        try {
            if (Files.isDirectory(data)) {
                try (var entries = Files.list(data)) {
                    if (entries.findAny().isPresent()) {
                        throw new IllegalStateException(node + " already has data in " + data
                                + "; call reset(node) first");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String bin(TestNode node, String program) {
        return Path.of(node.binDir(), program).toString();
    }

    private static void append(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void postgresOwns(Path path) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName("postgres");
        GroupPrincipal group = lookup.lookupPrincipalByGroupName("postgres");
        Files.setOwner(path, user);
        Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(group);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void checkPrerequisites() {
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("running as root (sshd and runuser need it)");
        }
        for (String program : List.of(Sshd.BINARY.toString(), "/usr/bin/ssh-keygen", pgBin + "/initdb",
                pgBin + "/pg_ctl", pgBin + "/pg_basebackup", pgBin + "/psql")) {
            if (!Files.isExecutable(Path.of(program))) {
                missing.add(program);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("pgrds integration tests need real sshd and PostgreSQL on this machine;"
                    + " missing: " + String.join(", ", missing) + " (set -D" + PG_BIN_PROPERTY + "=DIR for"
                    + " PostgreSQL elsewhere)");
        }
    }

    /** pg_ctl returns when the pid file is gone; the process itself may need a moment more to exit. */
    private static void awaitExit(ProcessHandle process) {
        Cleanup.awaitExited(process, 10_000);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
