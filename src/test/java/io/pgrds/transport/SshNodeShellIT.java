package io.pgrds.transport;

import io.pgrds.transport.target.Become;
import io.pgrds.desired.NodeSpec;
import io.pgrds.transport.target.SshSettings;
import io.pgrds.transport.target.Transport;
import io.pgrds.harness.Keys;
import io.pgrds.harness.LatencyProxy;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.transport.NodeShell.Endpoint;
import io.pgrds.transport.NodeShell.Exec;
import io.pgrds.transport.NodeShell.ExecResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SshNodeShell} against a real OpenSSH sshd and a real PostgreSQL. */
class SshNodeShellIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(2);

    @TempDir
    Path tmp;

    static TestNode node;
    static TestNode other;

    @BeforeAll
    static void nodes() {
        node = hosts.node(0);
        other = hosts.node(1);
    }

    private static NodeShell open(NodeSpec spec) {
        return NodeShells.open(Transport.SSH, spec, ShellOptions.defaults());
    }

    // ---- exec ----------------------------------------------------------------------------------------

    @Test
    void execReturnsExitStatusStdoutAndStderrSeparately() {
        try (NodeShell shell = open(node.spec())) {
            ExecResult result = shell.exec(Exec.of("sh", "-c", "echo out; echo err >&2; exit 3"));
            assertEquals(new ExecResult(3, "out\n", "err\n"), result);
            assertFalse(result.ok());
            assertTrue(shell.exec(Exec.of("true")).ok());
        }
    }

    @Test
    void execFeedsStdinAndClosesItSoTheCommandEnds() {
        try (NodeShell shell = open(node.spec())) {
            byte[] input = "line one\nline 'two' $(x)\n".getBytes(StandardCharsets.UTF_8);
            assertEquals(new ExecResult(0, "line one\nline 'two' $(x)\n", ""),
                    shell.exec(Exec.of("cat").withStdin(input)));
            assertEquals("0\n", shell.exec(Exec.of("wc", "-c")).stdout(), "no stdin is an empty stdin, not a hang");
        }
    }

    @Test
    void execStreamsMegabytesThroughStdinStdoutAndStderrAtOnceWithoutDeadlock() {
        byte[] input = new byte[3 * 1024 * 1024];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) ('a' + i % 26);
        }
        try (NodeShell shell = open(node.spec())) {
            // sshj 0.40 dropped the tail of stdin on close when the server's window was full; repeat to catch it
            for (int round = 0; round < 5; round++) {
                ExecResult result = shell.exec(Exec.of("tee", "/dev/stderr").withStdin(input)
                        .withTimeout(Duration.ofSeconds(30)));
                assertEquals(0, result.exitCode());
                assertArrayEquals(input, result.stdout().getBytes(StandardCharsets.UTF_8), "stdout, round " + round);
                assertArrayEquals(input, result.stderr().getBytes(StandardCharsets.UTF_8), "stderr, round " + round);
            }
        }
    }

    @Test
    void aCommandThatExitsWithoutReadingItsInputEndsAtOnce() {
        byte[] input = new byte[3 * 1024 * 1024];
        try (NodeShell shell = open(node.spec())) {
            long start = System.nanoTime();
            ExecResult result = shell.exec(Exec.of("sh", "-c", "exit 7").withStdin(input));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(7, result.exitCode());
            assertTrue(tookMs < 3_000, "took " + tookMs + " ms");
            assertEquals("next\n", shell.exec(Exec.of("echo", "next")).stdout());
        }
    }

    @Test
    void aMissingProgramExitsWith127LikeInAShell() {
        try (NodeShell shell = open(node.spec())) {
            ExecResult result = shell.exec(Exec.of("/nonexistent/bin/initdb", "--version"));
            assertEquals(127, result.exitCode());
            assertTrue(result.stderr().contains("/nonexistent/bin/initdb"), result.stderr());
        }
    }

    @Test
    void commandsRunInTheRootDirectory() {
        try (NodeShell shell = open(node.spec())) {
            assertEquals("/\n", shell.exec(Exec.of("pwd")).stdout());
            assertEquals("/\n", shell.exec(Exec.asPostgres("pwd")).stdout());
        }
    }

    @Test
    void asPostgresRunsAsThePostgresUserWithRunuserAndWithSudo() {
        for (Become become : List.of(Become.RUNUSER, Become.SUDO)) {
            try (NodeShell shell = open(node.spec(withBecome(node.ssh(), become)))) {
                assertEquals("root\n", shell.exec(Exec.of("id", "-un")).stdout(), become.name());
                assertEquals("postgres\n", shell.exec(Exec.asPostgres("id", "-un")).stdout(), become.name());
            }
        }
        try (NodeShell shell = open(node.spec(withBecome(node.ssh(), Become.NONE)))) {
            assertEquals("root\n", shell.exec(Exec.asPostgres("id", "-un")).stdout(), "NONE: already the right user");
        }
    }

    @Test
    void oneConnectionServesManyCommandsInSequenceAndInParallel() throws Exception {
        try (NodeShell shell = open(node.spec())) {
            String connection = shell.exec(Exec.of("sh", "-c", "echo $SSH_CLIENT")).stdout();
            for (int i = 0; i < 20; i++) {
                assertEquals(connection, shell.exec(Exec.of("sh", "-c", "echo $SSH_CLIENT")).stdout(),
                        "same client port: same connection");
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<ExecResult>> results = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    String word = "w" + i;
                    results.add(pool.submit(() -> shell.exec(Exec.of("echo", word))));
                }
                for (int i = 0; i < results.size(); i++) {
                    assertEquals("w" + i + "\n", results.get(i).get().stdout());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aCommandThatOutlivesItsTimeoutIsStoppedAndTheShellStaysUsable() {
        for (boolean asPostgres : new boolean[] {false, true}) {
            String marker = asPostgres ? "37.25" : "37.5";
            try (NodeShell shell = open(node.spec())) {
                long start = System.nanoTime();
                TransportException e = assertThrows(TransportException.class, () -> shell.exec(
                        new Exec(List.of("sleep", marker), asPostgres, null, Duration.ofSeconds(1))));
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(e.getMessage().contains("timed out after 1s on " + shell.describe()), e.getMessage());
                assertTrue(e.getMessage().contains("sleep"), e.getMessage());
                assertTrue(tookMs < 5_000, "gave up after " + tookMs + " ms");
                awaitNoProcess("sleep " + marker);
                assertEquals("still here\n", shell.exec(Exec.of("echo", "still here")).stdout());
            }
        }
    }

    // ---- writeFile -----------------------------------------------------------------------------------

    @Test
    void writeFileSetsContentOwnerAndModeAndReplacesTheFileAtomically() throws Exception {
        try (NodeShell shell = open(node.spec())) {
            Path dir = node.dir();
            Path file = dir.resolve("pgrds secret 'x'.conf");
            shell.writeFile(file.toString(), "first\n".getBytes(StandardCharsets.UTF_8), "postgres", 0600);
            assertEquals("postgres postgres 600", stat(file));
            assertEquals("first\n", Files.readString(file));

            shell.writeFile(file.toString(), "second $(id)\n".getBytes(StandardCharsets.UTF_8), "root", 0644);
            assertEquals("root root 644", stat(file));
            assertEquals("second $(id)\n", Files.readString(file));

            byte[] empty = new byte[0];
            shell.writeFile(file.toString(), empty, "postgres", 0640);
            assertEquals("postgres postgres 640", stat(file));
            assertEquals(0, Files.size(file));

            try (var entries = Files.list(dir)) {
                assertTrue(entries.noneMatch(p -> p.getFileName().toString().startsWith(".pgrds-write")),
                        "no temporary file left behind");
            }
        }
    }

    @Test
    void writeFileIntoAMissingDirectoryFailsWithTheReason() {
        try (NodeShell shell = open(node.spec())) {
            TransportException e = assertThrows(TransportException.class, () -> shell.writeFile(
                    "/nonexistent-dir/file", new byte[] {1}, "postgres", 0600));
            assertTrue(e.getMessage().contains("/nonexistent-dir/file"), e.getMessage());
            assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        }
    }

    // ---- tunnel --------------------------------------------------------------------------------------

    @Test
    void aTunnelReachesPostgresqlOnTheNodeWithJdbc() throws Exception {
        hosts.initPrimary(node);
        try (NodeShell shell = open(node.spec())) {
            Endpoint endpoint = shell.tunnel(node.address(), node.pgPort());
            assertEquals("127.0.0.1", endpoint.host());
            assertEquals(endpoint, shell.tunnel(node.address(), node.pgPort()), "one tunnel per target");

            Properties props = new Properties();
            props.setProperty("user", "postgres");
            props.setProperty("connectTimeout", "10");
            String url = "jdbc:postgresql://" + endpoint.host() + ":" + endpoint.port() + "/postgres";
            try (Connection first = DriverManager.getConnection(url, props);
                 Connection second = DriverManager.getConnection(url, props);
                 Statement statement = first.createStatement();
                 ResultSet rs = statement.executeQuery(
                         "select current_user, host(inet_server_addr()), inet_server_port()")) {
                assertTrue(rs.next());
                assertEquals("postgres", rs.getString(1));
                assertEquals(node.address(), rs.getString(2), "the server the node sees at its own address");
                assertEquals(node.pgPort(), rs.getInt(3));
                assertTrue(second.isValid(5));
                long t0 = System.nanoTime();
                int n = 100;
                try (Statement select = second.createStatement()) {
                    for (int i = 0; i < n; i++) {
                        select.execute("select 1");
                    }
                }
                System.out.printf("pgrds ssh timings: SQL round trip through the tunnel %.2f ms (mean of %d)%n",
                        (System.nanoTime() - t0) / 1e6 / n, n);
            }
        } finally {
            hosts.reset(node);
        }
    }

    @Test
    void closingTheShellClosesItsTunnels() throws Exception {
        Endpoint endpoint;
        try (NodeShell shell = open(node.spec())) {
            endpoint = shell.tunnel(node.address(), node.sshPort());
            try (Socket socket = new Socket(endpoint.host(), endpoint.port())) {
                byte[] banner = new byte[7];
                socket.getInputStream().readNBytes(banner, 0, 7);
                assertEquals("SSH-2.0", new String(banner, StandardCharsets.US_ASCII), "forwarded to the target");
            }
        }
        assertThrows(java.net.ConnectException.class, () -> new Socket(endpoint.host(), endpoint.port()).close());
    }

    @Test
    void closingTheShellJustAfterATunnelledConnectionEndedLogsNoErrors() throws Exception {
        // 100 ms of round trip: the channel of a connection that just ended is still closing when the shell closes,
        // as when pgrds status closes its sessions right after the last node's SQL
        hosts.initPrimary(node);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        try (LatencyProxy proxy = LatencyProxy.start(node.address(),
                new InetSocketAddress(node.address(), node.sshPort()), Duration.ofMillis(50))) {
            Path knownHosts = tmp.resolve("known_hosts_proxied");
            String[] key = Files.readString(node.hostPublicKey()).trim().split("\\s+");
            Files.writeString(knownHosts, "[" + node.address() + "]:" + proxy.port() + " " + key[0] + " " + key[1]
                    + "\n");
            NodeSpec spec = node.spec(new SshSettings("root", proxy.port(), node.ssh().identityFile(),
                    Optional.of(knownHosts.toString()), Become.RUNUSER));
            Properties props = new Properties();
            props.setProperty("user", "postgres");
            for (int i = 0; i < 3; i++) {
                try (NodeShell shell = open(spec)) {
                    Endpoint endpoint = shell.tunnel(node.address(), node.pgPort());
                    String url = "jdbc:postgresql://" + endpoint.host() + ":" + endpoint.port() + "/postgres";
                    try (Connection c = DriverManager.getConnection(url, props)) {
                        assertTrue(c.isValid(5));
                    }
                }
            }
            Thread.sleep(500); // sshj's copier threads log after the disconnect, if they do
        } finally {
            root.detachAppender(log);
            hosts.reset(node);
        }
        assertEquals(List.of(), log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()).toList());
    }

    @Test
    void aTunnelledConnectionTheNodeEndsFirstIsHalfClosedWithoutErrors() throws Exception {
        // PostgreSQL answers a startup packet without a user name with an error and closes: the node's side ends
        // while the local client still holds its side open
        hosts.initPrimary(node);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        try (NodeShell shell = open(node.spec())) {
            Endpoint endpoint = shell.tunnel(node.address(), node.pgPort());
            try (Socket client = new Socket(endpoint.host(), endpoint.port())) {
                client.setSoTimeout(10_000);
                // length 9, protocol 3.0, no parameters, the terminator
                client.getOutputStream().write(new byte[] {0, 0, 0, 9, 0, 3, 0, 0, 0});
                byte[] answer = client.getInputStream().readAllBytes(); // until the node's end of stream
                assertEquals('E', answer[0], "an ErrorResponse");
                assertTrue(new String(answer, StandardCharsets.UTF_8).contains("no PostgreSQL user name specified"),
                        new String(answer, StandardCharsets.UTF_8));
                Thread.sleep(200); // the client still holds its side open, as pgjdbc does until it notices
                assertFalse(client.isInputShutdown());
            }
            Thread.sleep(200);
        } finally {
            root.detachAppender(log);
            hosts.reset(node);
        }
        assertEquals(List.of(), log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()).toList());
    }

    // ---- failures to connect -------------------------------------------------------------------------

    @Test
    void aNodeWhoseSshdIsDownIsReportedAsConnectionRefused() {
        hosts.makeUnreachable(other);
        try {
            TransportException e = assertThrows(TransportException.class, () -> open(other.spec()));
            assertEquals("Unable to connect to root@" + other.address() + ":" + other.sshPort()
                    + ": connection refused (is sshd running and listening on " + other.address() + " port "
                    + other.sshPort() + "?)", e.getMessage());
            assertEquals(TransportException.Kind.REFUSED, e.kind(), "the machine answered: up, its sshd is not");
        } finally {
            hosts.makeReachable(other);
        }
        open(other.spec()).close();
    }

    @Test
    void aConnectionLostDuringACommandIsReportedAndTheShellSaysItIsClosed() throws Exception {
        try (NodeShell shell = open(other.spec())) {
            ExecutorService runner = Executors.newSingleThreadExecutor();
            try {
                Future<ExecResult> running = runner.submit(() -> shell.exec(Exec.of("sleep", "39.5")));
                awaitProcess("sleep 39.5");
                hosts.makeUnreachable(other);
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> running.get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof TransportException, String.valueOf(e.getCause()));
                assertTrue(e.getCause().getMessage().startsWith("Unable to run `sleep 39.5` on " + shell.describe()),
                        e.getCause().getMessage());
            } finally {
                runner.shutdownNow();
                hosts.makeReachable(other);
                hosts.tryRun("pkill", "-f", "-x", "sleep 39.5");
            }
            TransportException next = assertThrows(TransportException.class, () -> shell.exec(Exec.of("true")));
            assertTrue(next.getMessage().contains("the connection is closed"), next.getMessage());
        }
    }

    @Test
    void aServerThatNeverSpeaksSshTimesOutWithinTheConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"))) {
            NodeSpec spec = new NodeSpec("silent", "127.0.0.1", new SshSettings("root", silent.getLocalPort(),
                    node.ssh().identityFile(), node.ssh().knownHostsFile(), Become.RUNUSER),
                    node.binDir(), "/nonexistent", 5432);
            long start = System.nanoTime();
            TransportException e = assertThrows(TransportException.class, () -> NodeShells.open(Transport.SSH, spec,
                    ShellOptions.defaults().withConnectTimeout(Duration.ofSeconds(1))));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().startsWith("Unable to connect to root@127.0.0.1:" + silent.getLocalPort()),
                    e.getMessage());
            assertTrue(tookMs < 5_000, "gave up after " + tookMs + " ms");
        }
    }

    @Test
    void anUnknownHostKeyIsRefusedWithItsFingerprintUntilAcceptedThenRemembered() throws Exception {
        Path knownHosts = tmp.resolve("known_hosts");
        Files.writeString(knownHosts, "# nothing known yet\n");
        NodeSpec spec = node.spec(withKnownHosts(node.ssh(), knownHosts));
        String fingerprint = Keys.fingerprint(node.hostPublicKey());

        TransportException e = assertThrows(TransportException.class, () -> open(spec));
        assertTrue(e.getMessage().contains("host key is unknown"), e.getMessage());
        assertEquals(TransportException.Kind.LOCAL, e.kind(), "a trust decision on this machine, not a dead node");
        assertTrue(e.getMessage().contains("ssh-ed25519 key " + fingerprint), e.getMessage());
        assertTrue(e.getMessage().contains("--accept-new-host-keys"), e.getMessage());
        assertEquals("# nothing known yet\n", Files.readString(knownHosts), "nothing recorded without consent");

        try (SshNodeShell shell = SshNodeShell.connect(spec, ShellOptions.defaults().withAcceptNewHostKeys(true))) {
            assertTrue(shell.exec(Exec.of("true")).ok());
            assertEquals(Optional.of(hosts.knownHostsLine(node)), shell.recordedHostKey());
        }
        assertEquals("# nothing known yet\n" + hosts.knownHostsLine(node) + "\n", Files.readString(knownHosts));

        try (SshNodeShell shell = SshNodeShell.connect(spec, ShellOptions.defaults())) {
            assertTrue(shell.exec(Exec.of("true")).ok(), "the recorded key is trusted without the flag");
            assertEquals(Optional.empty(), shell.recordedHostKey());
        }
    }

    @Test
    void acceptingANewHostKeyCreatesAMissingKnownHostsFile() {
        Path knownHosts = tmp.resolve("ssh/known_hosts");
        NodeSpec spec = node.spec(withKnownHosts(node.ssh(), knownHosts));
        NodeShells.open(Transport.SSH, spec, ShellOptions.defaults().withAcceptNewHostKeys(true)).close();
        open(spec).close();
        assertTrue(Files.exists(knownHosts));
    }

    @Test
    void aChangedHostKeyIsRefusedEvenWhenNewKeysAreAccepted() throws Exception {
        Path impostor = tmp.resolve("impostor_key");
        String impostorKey = Keys.generate(impostor, "impostor");
        Path knownHosts = tmp.resolve("known_hosts");
        String recorded = "[" + node.address() + "]:" + node.sshPort() + " " + impostorKey + "\n";
        Files.writeString(knownHosts, recorded);
        NodeSpec spec = node.spec(withKnownHosts(node.ssh(), knownHosts));

        for (boolean acceptNew : new boolean[] {false, true}) {
            TransportException e = assertThrows(TransportException.class, () -> NodeShells.open(Transport.SSH, spec,
                    ShellOptions.defaults().withAcceptNewHostKeys(acceptNew)));
            String message = e.getMessage();
            assertTrue(message.contains("host key for [" + node.address() + "]:" + node.sshPort() + " has changed"),
                    message);
            assertTrue(message.contains("possible man-in-the-middle"), message);
            assertTrue(message.contains("remove the old key from " + knownHosts + " if the change is expected"),
                    message);
            assertTrue(message.contains(Keys.fingerprint(node.hostPublicKey())), message);
            assertTrue(message.contains(Keys.fingerprint(impostor.resolveSibling("impostor_key.pub"))), message);
            assertEquals(recorded, Files.readString(knownHosts), "the old key stays, nothing is added");
        }
    }

    @Test
    void aHostKnownOnlyWithAnotherKeyTypeIsRefusedAsChangedNotAcceptedAsNew() throws Exception {
        String ecdsa = Keys.generate(tmp.resolve("ecdsa_key"), "ecdsa", "other type");
        Path knownHosts = tmp.resolve("known_hosts");
        String recorded = "[" + node.address() + "]:" + node.sshPort() + " " + ecdsa + "\n";
        Files.writeString(knownHosts, recorded);
        NodeSpec spec = node.spec(withKnownHosts(node.ssh(), knownHosts));

        TransportException e = assertThrows(TransportException.class, () -> NodeShells.open(Transport.SSH, spec,
                ShellOptions.defaults().withAcceptNewHostKeys(true)));
        assertTrue(e.getMessage().contains("has changed"), e.getMessage());
        assertEquals(TransportException.Kind.LOCAL, e.kind());
        assertTrue(e.getMessage().contains("ecdsa-sha2-nistp256"), e.getMessage());
        assertEquals(recorded, Files.readString(knownHosts));
    }

    @Test
    void aKeyTheServerDoesNotAuthorizeFailsAuthentication() {
        Path stranger = tmp.resolve("stranger_key");
        Keys.generate(stranger, "stranger");
        NodeSpec spec = node.spec(new SshSettings("root", node.sshPort(), Optional.of(stranger.toString()),
                node.ssh().knownHostsFile(), Become.RUNUSER));
        TransportException e = assertThrows(TransportException.class, () -> open(spec));
        assertTrue(e.getMessage().startsWith("Unable to connect to " + node.spec().ssh().user() + "@" + node.address()
                + ":" + node.sshPort() + ": authentication as root failed with key " + stranger), e.getMessage());
        assertEquals(TransportException.Kind.AUTHENTICATION, e.kind(), "the node answered: it is up");
    }

    @Test
    void aMissingIdentityFileIsNamed() {
        Path missing = tmp.resolve("no_such_key");
        NodeSpec spec = node.spec(new SshSettings("root", node.sshPort(), Optional.of(missing.toString()),
                node.ssh().knownHostsFile(), Become.RUNUSER));
        TransportException e = assertThrows(TransportException.class, () -> open(spec));
        assertTrue(e.getMessage().contains("identity file " + missing + " does not exist"), e.getMessage());
        assertEquals(TransportException.Kind.LOCAL, e.kind(), "fixed on this machine: the node may be fine");
    }

    @Test
    void describeNamesUserHostAndPort() {
        try (NodeShell shell = open(node.spec())) {
            assertEquals("root@" + node.address() + ":" + node.sshPort(), shell.describe());
        }
    }

    @Test
    void timings() {
        long t0 = System.nanoTime();
        try (NodeShell shell = open(node.spec())) {
            long connected = System.nanoTime();
            shell.exec(Exec.of("true"));
            long first = System.nanoTime();
            int n = 50;
            for (int i = 0; i < n; i++) {
                shell.exec(Exec.of("true"));
            }
            long done = System.nanoTime();
            System.out.printf("pgrds ssh timings: sshd start %d ms (all nodes), connect+auth %.1f ms,"
                            + " first exec %.1f ms, exec round trip %.1f ms (mean of %d)%n",
                    hosts.sshdStartMillis(), (connected - t0) / 1e6, (first - connected) / 1e6,
                    (done - first) / 1e6 / n, n);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static SshSettings withBecome(SshSettings s, Become become) {
        return new SshSettings(s.user(), s.port(), s.identityFile(), s.knownHostsFile(), become);
    }

    private static SshSettings withKnownHosts(SshSettings s, Path knownHosts) {
        return new SshSettings(s.user(), s.port(), s.identityFile(), Optional.of(knownHosts.toString()), s.become());
    }

    private static String stat(Path file) {
        return hosts.run("stat", "-c", "%U %G %a", file.toString()).strip();
    }

    private static void awaitProcess(String commandLine) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!hosts.tryRun("pgrep", "-f", "-x", commandLine).ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("`" + commandLine + "` did not start");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void awaitNoProcess(String commandLine) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (hosts.tryRun("pgrep", "-f", "-x", commandLine).ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("`" + commandLine + "` still runs on the node after the timeout");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
