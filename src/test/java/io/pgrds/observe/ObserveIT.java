package io.pgrds.observe;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.harness.Keys;
import io.pgrds.harness.LatencyProxy;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.render.StatusView;
import io.pgrds.source.Snapshot;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.ShellOptions;
import io.pgrds.util.Json;
import io.pgrds.util.Units;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every node state, reached for real: the {@link Observer} over real SSH (OpenSSH sshd, one per node) and real
 * PostgreSQL, with the cluster loaded by {@link FleetLoader} from a cluster file such as an operator writes.
 * The servers are put into each state with raw commands (initdb, pg_basebackup, pg_ctl, psql), never by pgrds.
 */
class ObserveIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(3);

    private static final ClusterId CLUSTER = new ClusterId("orderdata", "integration");
    private static final String FILE = "clusters/orderdata/integration.yaml";

    @TempDir
    Path tmp;

    @BeforeEach
    void freshNodes() {
        hosts.nodes().forEach(hosts::reset);
        hosts.nodes().forEach(n -> hosts.tryRun("rm", "-rf", stateDirectory(n).toString()));
        hosts.trustHostKeys();
    }

    @AfterEach
    void stopEverything() {
        hosts.nodes().forEach(hosts::reset);
        hosts.nodes().forEach(n -> hosts.tryRun("rm", "-rf", stateDirectory(n).toString()));
        hosts.trustHostKeys();
    }

    // ---- the cluster file and the observation ----------------------------------------------------------

    /** A cluster file as an operator writes it: cluster-wide ssh and postgres settings, one line per node. */
    private static String clusterFile(List<String> nodeEntries) {
        return clusterFile(15, nodeEntries);
    }

    /** A cluster of PostgreSQL {@code version}, with the harness's binaries (15) whatever the version says. */
    private static String clusterFile(int version, List<String> nodeEntries) {
        TestNode any = hosts.node(0);
        StringBuilder y = new StringBuilder();
        y.append("ssh: {user: root, port: ").append(any.sshPort()).append(", identityFile: ").append(hosts.clientKey())
                .append(", knownHostsFile: ").append(hosts.knownHosts()).append(", become: runuser}\n");
        y.append("postgres: {version: ").append(version).append(", binDir: ").append(any.binDir()).append("}\n");
        y.append("nodes:\n");
        nodeEntries.forEach(e -> y.append("  - ").append(e).append('\n'));
        return y.toString();
    }

    private static String entry(TestNode n) {
        return entry(n, null, null);
    }

    /** One node; {@code ssh} is a flow mapping of per-node SSH overrides, {@code binDir} a per-node override. */
    private static String entry(TestNode n, String ssh, String binDir) {
        return "{host: " + n.address() + ", name: " + n.name() + (ssh == null ? "" : ", ssh: " + ssh)
                + ", postgres: {dataDirectory: " + n.dataDirectory() + ", port: " + n.pgPort()
                + (binDir == null ? "" : ", binDir: " + binDir) + "}}";
    }

    private static DesiredCluster load(String clusterFile) {
        return load(clusterFile, List.of());
    }

    /** Loads the file as the commit's, with {@code earlier} as the file's contents in the commits before it. */
    private static DesiredCluster load(String clusterFile, List<String> earlier) {
        SortedMap<String, byte[]> files = new TreeMap<>(Map.of(FILE, clusterFile.getBytes(UTF_8)));
        SortedMap<String, List<byte[]>> history = new TreeMap<>(Map.of(FILE,
                earlier.stream().map(s -> s.getBytes(UTF_8)).toList()));
        return FleetLoader.loadOrThrow(new Snapshot(Optional.empty(), "HEAD", files, List.of(), history))
                .cluster(CLUSTER).orElseThrow();
    }

    private static ObservedCluster observe(DesiredCluster cluster) {
        return observe(cluster, 16);
    }

    private static ObservedCluster observe(DesiredCluster cluster, int parallel) {
        return observe(cluster, parallel, Duration.ofSeconds(30));
    }

    private static ObservedCluster observe(DesiredCluster cluster, int parallel, Duration deadline) {
        try (Sessions sessions = new Sessions(ShellOptions.defaults())) {
            return new Observer(sessions, parallel, deadline).observe(cluster);
        }
    }

    private static ObservedNode only(ObservedCluster c) {
        assertEquals(1, c.nodes().size(), c.toString());
        return c.nodes().get(0);
    }

    // ---- facts to compare with, read without pgrds -----------------------------------------------------

    private static Path stateDirectory(TestNode n) {
        return Path.of(n.dataDirectory() + ".pgrds");
    }

    private static String systemIdentifier(TestNode running) {
        return hosts.psql(running, "select system_identifier from pg_control_system()");
    }

    private static Lsn currentLsn(TestNode primary) {
        return Lsn.parse(hosts.psql(primary, "select pg_current_wal_lsn()"));
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static long memTotalBytes() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.split("\\s+")[1]) * 1024).findFirst().orElseThrow();
    }

    private static Marker.Member member(TestNode n) {
        return new Marker.Member(n.name(), n.address(), n.sshPort(), "root", n.dataDirectory().toString(), n.pgPort(),
                n.binDir());
    }

    /** Writes {@code <dataDirectory>.pgrds/marker.json} as pgrds would: JSON of a {@link Marker}, owned by postgres. */
    private static void writeMarker(TestNode n, Marker marker) throws IOException {
        Path dir = stateDirectory(n);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("marker.json"), Json.mapper().writeValueAsString(marker));
        hosts.run("chown", "-R", "postgres:postgres", dir.toString());
        hosts.run("chmod", "-R", "go-rwx", dir.toString());
    }

    /**
     * Cluster-file entries for {@code nodes}, each reached through a {@link LatencyProxy} in front of its sshd
     * ({@code oneWay} per direction), with a known_hosts file for the proxies' ports.
     */
    private List<String> proxied(List<TestNode> nodes, Duration oneWay, List<LatencyProxy> proxies) throws IOException {
        Path file = tmp.resolve("known_hosts_proxied");
        StringBuilder knownHosts = new StringBuilder();
        List<String> entries = new ArrayList<>();
        for (TestNode n : nodes) {
            LatencyProxy p = LatencyProxy.start(n.address(), new InetSocketAddress(n.address(), n.sshPort()), oneWay);
            proxies.add(p);
            String[] key = Files.readString(n.hostPublicKey()).trim().split("\\s+");
            knownHosts.append('[').append(n.address()).append("]:").append(p.port()).append(' ').append(key[0])
                    .append(' ').append(key[1]).append('\n');
            entries.add(entry(n, "{port: " + p.port() + ", knownHostsFile: " + file + "}", null));
        }
        Files.writeString(file, knownHosts);
        return entries;
    }

    /** What pgrds says about a node whose sshd does not listen. */
    private static String refused(TestNode n) {
        return "Unable to connect to root@" + n.address() + ":" + n.sshPort() + ": connection refused (is sshd running"
                + " and listening on " + n.address() + " port " + n.sshPort() + "?)";
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    // ---- EMPTY ----------------------------------------------------------------------------------------

    @Test
    void aNodeWithoutADataDirectoryIsEmptyWithNothingElseToReport() {
        TestNode a = hosts.node(0);
        DesiredCluster cluster = load(clusterFile(List.of(entry(a))));
        assertEquals(List.of(a.spec()), cluster.nodes(), "the cluster file describes the harness node");

        ObservedCluster c = observe(cluster);
        ObservedNode n = only(c);

        assertEquals("node1", n.name());
        assertEquals(a.address(), n.host());
        assertEquals(NodeState.EMPTY, n.state());
        assertEquals(Optional.empty(), n.error());
        assertFalse(n.running());
        assertEquals(Optional.empty(), n.version());
        assertEquals(Optional.empty(), n.systemIdentifier());
        assertEquals(Optional.empty(), n.timeline());
        assertEquals(Optional.empty(), n.marker());
        assertEquals(Map.of(), n.configFiles());
        assertEquals(Optional.empty(), n.sql());
        assertTrue(n.freeDiskBytes().orElseThrow() > 0, "free disk of the file system the data will live on");
        assertEquals("no running primary; node1 is EMPTY (no data yet)", StatusView.of(c).summary());
    }

    // ---- PRIMARY --------------------------------------------------------------------------------------

    @Test
    void aRunningPrimaryIsObservedWithItsControlDataAndItsSqlFacts() throws Exception {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        String sysid = systemIdentifier(a);
        String serverVersion = hosts.psql(a, "show server_version").split(" ")[0];
        Lsn before = currentLsn(a);

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        Lsn after = currentLsn(a);
        assertEquals(NodeState.PRIMARY, n.state());
        assertEquals(Optional.empty(), n.error());
        assertTrue(n.running());
        assertEquals(Optional.of(15), n.version());
        assertEquals(Optional.of(sysid), n.systemIdentifier());
        assertEquals(Optional.of(1), n.timeline());
        assertEquals(Optional.empty(), n.upstream());
        assertEquals(Optional.empty(), n.marker());
        assertEquals(Map.of("pg_hba.conf", sha256(a.dataDirectory().resolve("pg_hba.conf"))), n.configFiles());
        assertEquals(Map.of(), n.configParameters(), "no pgrds.conf on a server pgrds did not configure");
        assertEquals(Optional.of(memTotalBytes()), n.memoryBytes());
        assertEquals(Files.exists(Path.of("/var/run/reboot-required")), n.rebootRequired());

        SqlFacts sql = n.sql().orElseThrow(() -> new AssertionError("no SQL facts: " + n.error()));
        assertEquals(serverVersion, sql.serverVersion());
        assertFalse(sql.inRecovery());
        Lsn current = sql.currentLsn().orElseThrow();
        assertTrue(before.compareTo(current) <= 0 && current.compareTo(after) <= 0,
                before + " <= " + current + " <= " + after);
        assertEquals(Optional.of(current), n.position());
        assertEquals(Optional.empty(), sql.receiveLsn());
        assertEquals(Optional.empty(), sql.replayLsn());
        assertEquals(Optional.empty(), sql.replayLagMillis());
        assertEquals(Optional.empty(), sql.walReceiverStatus());
        assertEquals(List.of(), sql.replication());
        assertEquals(new Setting("50", "", "postmaster", false), sql.settings().get("max_connections"));
        assertEquals(new Setting("4096", "8kB", "postmaster", false), sql.settings().get("shared_buffers"));
        assertEquals("node1", sql.settings().get("cluster_name").value());
        assertEquals(Integer.toString(a.pgPort()), sql.settings().get("port").value());
        assertEquals("off", sql.settings().get("fsync").value());
        assertEquals(List.of("postgres"), sql.roles());
        assertEquals(1, sql.connections(), "only the observer's own session");
        assertEquals(50, sql.maxConnections());

        WalFacts wal = n.wal().orElseThrow(() -> new AssertionError("no WAL facts"));
        assertEquals(0, wal.readySegments(), "archive_mode is off: nothing waits for an archiver");
        assertEquals(16L << 20, wal.segmentBytes());
        assertTrue(wal.pgWalBytes().orElseThrow() >= 16L << 20, "pg_wal holds at least its current segment");
        assertTrue(wal.freeBytes().orElseThrow() > 0 && wal.freeBytes().get() < wal.fileSystemBytes().orElseThrow());
        assertTrue(wal.mountPoint().orElseThrow().startsWith("/"), wal.toString());
        ArchiverStats archiver = sql.archiver().orElseThrow(() -> new AssertionError("no pg_stat_archiver"));
        assertEquals(0, archiver.archivedCount());
        assertEquals(0, archiver.failedCount());
        assertEquals(Optional.empty(), archiver.lastFailedEpochMillis());
        assertTrue(Math.abs(archiver.observedEpochMillis() - System.currentTimeMillis()) < 60_000,
                "the server's clock, read with the statistics: " + archiver);
        assertEquals(Optional.empty(), ArchiveHealth.of(n), "a server that does not archive is not assessed");
    }

    @Test
    void aStoppedPrimaryIsStillAPrimaryFromItsFilesWithoutSqlFactsAndWithoutAnError() {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        String sysid = systemIdentifier(a);
        hosts.stop(a);

        ObservedCluster c = observe(load(clusterFile(List.of(entry(a)))));
        ObservedNode n = only(c);

        assertEquals(NodeState.PRIMARY, n.state());
        assertFalse(n.running());
        // a stopped server is not a failure to observe: NodeObserver asks SQL only of running servers
        assertEquals(Optional.empty(), n.error());
        assertEquals(Optional.empty(), n.sql());
        assertEquals(Optional.of(15), n.version());
        assertEquals(Optional.of(sysid), n.systemIdentifier());
        assertEquals(Optional.of(1), n.timeline());
        assertEquals("no running primary; node1 (primary) is stopped", StatusView.of(c).summary());
    }

    @Test
    void aCrashedPrimaryWhosePidFileRemainsIsAStoppedPrimary() {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        hosts.kill(a);
        assertTrue(Files.exists(a.dataDirectory().resolve("postmaster.pid")), "a crash leaves the pid file");

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        assertEquals(NodeState.PRIMARY, n.state());
        assertFalse(n.running());
        assertEquals(Optional.empty(), n.error());
        assertEquals(Optional.empty(), n.sql());
    }

    @Test
    void aRunningServerThatRefusesPgrdsLoginKeepsItsShellFactsAndSaysWhySqlIsMissing() throws Exception {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        // credentials for a role the server does not have, as after a restore from another cluster's backup
        Path secrets = stateDirectory(a).resolve("secrets");
        Files.createDirectories(secrets);
        Files.writeString(secrets.resolve("pgrds.password"), "not-the-password\n");
        hosts.run("chown", "-R", "postgres:postgres", stateDirectory(a).toString());

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        assertEquals(NodeState.PRIMARY, n.state());
        assertTrue(n.running());
        assertEquals(Optional.of(systemIdentifier(a)), n.systemIdentifier());
        assertEquals(Optional.empty(), n.sql());
        assertEquals(Optional.of("SQL not possible: FATAL: role \"pgrds\" does not exist"), n.error());
    }

    // ---- STANDBY --------------------------------------------------------------------------------------

    @Test
    void aStandbyWhoseReplayIsPausedLagsByWhatThePrimaryReportsForIt() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        hosts.initPrimary(a);
        hosts.cloneStandby(a, b);
        hosts.awaitStreaming(a, b);
        hosts.psql(b, "select pg_wal_replay_pause()");
        await(() -> hosts.psql(b, "select pg_get_wal_replay_pause_state()").equals("paused"), "replay paused");
        // about 40 MB of WAL: more than the 16 MiB at which status stops calling a standby in sync
        hosts.psql(a, "create table filler as select g, repeat('x', 200) as pad from generate_series(1, 150000) g");
        String received = "select flush_lsn = pg_current_wal_lsn() and replay_lsn < flush_lsn from pg_stat_replication"
                + " where application_name = '" + b.name() + "'";
        await(() -> hosts.psql(a, received).equals("t"), "the standby received everything but replayed none of it");
        Lsn replayed = Lsn.parse(hosts.psql(b, "select pg_last_wal_replay_lsn()"));

        ObservedCluster c = observe(load(clusterFile(List.of(entry(a), entry(b)))));

        assertEquals(List.of("node1", "node2"), c.nodes().stream().map(ObservedNode::name).toList());
        ObservedNode primary = c.node("node1").orElseThrow();
        ObservedNode standby = c.node("node2").orElseThrow();
        assertEquals(NodeState.PRIMARY, primary.state());
        assertEquals(NodeState.STANDBY, standby.state());
        assertEquals(Optional.empty(), standby.error());
        assertTrue(standby.running());
        assertEquals(primary.systemIdentifier(), standby.systemIdentifier());
        assertEquals(Optional.of(a.address()), standby.upstream(), "from primary_conninfo that pg_basebackup -R wrote");

        SqlFacts s = standby.sql().orElseThrow(() -> new AssertionError("no SQL facts: " + standby.error()));
        assertTrue(s.inRecovery());
        assertEquals(Optional.empty(), s.currentLsn());
        assertEquals(Optional.of("streaming"), s.walReceiverStatus());
        assertEquals(Optional.of(replayed), s.replayLsn());
        assertTrue(s.receiveLsn().orElseThrow().compareTo(replayed) > 0, s.toString());
        assertEquals(Optional.of(replayed), standby.position(), "a standby's position is what it replayed");
        assertEquals(List.of(), s.replication());

        SqlFacts p = primary.sql().orElseThrow(() -> new AssertionError("no SQL facts: " + primary.error()));
        assertEquals(1, p.replication().size(), p.replication().toString());
        ReplicationPeer peer = p.replication().get(0);
        assertEquals("node2", peer.applicationName());
        assertEquals("streaming", peer.state());
        assertEquals(Optional.of(replayed), peer.replayLsn());
        assertTrue(peer.lagBytes() > 16L * 1024 * 1024, "lag " + peer.lagBytes());
        assertTrue(peer.lagBytes() >= p.currentLsn().orElseThrow().minus(replayed), peer + " vs " + p.currentLsn());

        StatusView view = StatusView.of(c);
        StatusView.Row row = view.rows().get(1);
        assertEquals("node2", row.node());
        assertEquals(Optional.of(peer.lagBytes()), row.lagBytes());
        assertEquals(Optional.of(replayed), row.lsn());
        assertEquals(Optional.empty(), view.rows().get(0).lagBytes(), "a primary does not lag");
        assertFalse(view.healthy());
        assertEquals("lagging: node2 " + Units.bytes(peer.lagBytes()) + " / " + Units.millis(row.lagMillis().orElse(0L)),
                view.summary());
    }

    // ---- DEACTIVATED ----------------------------------------------------------------------------------

    @Test
    void aStoppedServerWhoseMarkerSaysDeactivatedIsDeactivated() throws Exception {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        String sysid = systemIdentifier(a);
        hosts.stop(a);
        Marker marker = new Marker(CLUSTER, Optional.of(sysid), true, List.of(member(a)), Optional.of("node1"),
                Optional.of("0123456789abcdef0123456789abcdef01234567"));
        writeMarker(a, marker);

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        assertEquals(NodeState.DEACTIVATED, n.state());
        assertEquals(Optional.empty(), n.error());
        assertFalse(n.running());
        assertEquals(Optional.of(marker), n.marker());
        assertEquals(Optional.of(sysid), n.systemIdentifier());
        assertEquals(Optional.empty(), n.sql());
    }

    @Test
    void aDeactivatedServerThatWasStartedAgainCountsAsTheRunningPrimaryItIs() throws Exception {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        writeMarker(a, new Marker(CLUSTER, Optional.of(systemIdentifier(a)), true, List.of(member(a)),
                Optional.of("node1"), Optional.empty()));

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        assertEquals(NodeState.PRIMARY, n.state());
        assertTrue(n.running());
        assertTrue(n.marker().orElseThrow().deactivated());
        assertFalse(n.sql().orElseThrow().inRecovery());
    }

    // ---- FOREIGN --------------------------------------------------------------------------------------

    @Test
    void aMarkerOfAnotherClusterMakesTheNodeForeignAndPgrdsDoesNotLogIn() throws Exception {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        ClusterId other = new ClusterId("billing", "production");
        writeMarker(a, new Marker(other, Optional.of(systemIdentifier(a)), false, List.of(member(a)),
                Optional.of("node1"), Optional.empty()));

        ObservedCluster c = observe(load(clusterFile(List.of(entry(a)))));
        ObservedNode n = only(c);

        assertEquals(NodeState.FOREIGN, n.state());
        assertEquals(Optional.of("the data directory belongs to cluster billing/production"), n.error());
        assertTrue(n.running());
        assertEquals(Optional.empty(), n.sql());
        assertEquals("no running primary; node1 FOREIGN: the data directory belongs to cluster billing/production",
                StatusView.of(c).summary());
    }

    @Test
    void aMarkerOfThisClusterWithAnotherSystemIdentifierMakesTheNodeForeign() throws Exception {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        String sysid = systemIdentifier(a);
        writeMarker(a, new Marker(CLUSTER, Optional.of("7000000000000000001"), false, List.of(member(a)),
                Optional.of("node1"), Optional.empty()));

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        assertEquals(NodeState.FOREIGN, n.state());
        assertEquals(Optional.of("system identifier " + sysid + " differs from 7000000000000000001 that pgrds recorded"
                + " for orderdata/integration"), n.error());
        assertEquals(Optional.of(sysid), n.systemIdentifier());
        assertEquals(Optional.empty(), n.sql());
    }

    // ---- NO_POSTGRES ----------------------------------------------------------------------------------

    @Test
    void aNodeWhoseBinDirDoesNotExistHasNoPostgres() {
        TestNode a = hosts.node(0);
        DesiredCluster cluster = load(clusterFile(List.of(entry(a, null, "/nonexistent/bin"))));
        assertEquals(List.of(a.specWithBinDir("/nonexistent/bin")), cluster.nodes());

        ObservedCluster c = observe(cluster);
        ObservedNode n = only(c);

        assertEquals(NodeState.NO_POSTGRES, n.state());
        assertEquals(Optional.of("PostgreSQL 15 binaries are missing"), n.error());
        assertFalse(n.running());
        assertEquals(Optional.empty(), n.sql());
        assertEquals("no running primary; node1 NO_POSTGRES: PostgreSQL 15 binaries are missing",
                StatusView.of(c).summary());
    }

    // ---- UNKNOWN, and EMPTY after an interrupted create -------------------------------------------------

    @Test
    void aDataDirectoryWithFilesButNoPgVersionIsUnknown() throws Exception {
        TestNode a = hosts.node(0);
        Files.createDirectories(a.dataDirectory());
        Files.writeString(a.dataDirectory().resolve("notes.txt"), "someone else's files\n");
        hosts.run("chown", "-R", "postgres:postgres", a.dataDirectory().toString());

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        assertEquals(NodeState.UNKNOWN, n.state());
        assertEquals(Optional.of("the data directory is not empty but has no PG_VERSION: not a PostgreSQL data"
                + " directory"), n.error());
        assertFalse(n.running());
    }

    @Test
    void aDataDirectoryThePostgresUserCannotReadIsUnknown() throws Exception {
        TestNode a = hosts.node(0);
        Files.createDirectories(a.dataDirectory());
        hosts.run("chmod", "700", a.dataDirectory().toString()); // root's

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        assertEquals(NodeState.UNKNOWN, n.state());
        assertEquals(Optional.of("the data directory exists but the postgres user cannot read it"), n.error());
    }

    @Test
    void aRunningPrimaryBehindADirectoryPostgresCannotSearchIsUnknownNeverEmpty() throws Exception {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        // the node's own directory (data, socket, log) becomes root's: postgres cannot see inside it any more,
        // while the server, which has its files open, keeps running
        String owner = hosts.run("stat", "-c", "%U:%G %a", a.dir().toString()).strip();
        hosts.run("chown", "root:root", a.dir().toString());
        hosts.run("chmod", "700", a.dir().toString());
        try {
            ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

            assertEquals(NodeState.UNKNOWN, n.state(), n.toString());
            assertEquals(Optional.of("the data directory cannot be seen: " + a.dir() + " is not searchable by the "
                    + "postgres user, so pgrds cannot tell whether " + a.dataDirectory() + " exists"), n.error());
        } finally {
            hosts.run("chown", owner.split(" ")[0], a.dir().toString());
            hosts.run("chmod", owner.split(" ")[1], a.dir().toString());
        }
        assertTrue(hosts.isRunning(a), "the fault never stopped the server: it was a running primary all along");
    }

    @Test
    void aDataDirectoryThatIsALinkPostgresCannotFollowIsUnknown() throws Exception {
        TestNode a = hosts.node(0);
        Path hidden = Files.createTempDirectory(Path.of("/root"), "pgrds-hidden-"); // postgres cannot enter /root
        try {
            Files.createDirectories(a.dataDirectory().getParent());
            Files.createSymbolicLink(a.dataDirectory(), hidden);

            ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

            assertEquals(NodeState.UNKNOWN, n.state(), n.toString());
            assertEquals(Optional.of("the data directory cannot be seen: " + a.dataDirectory() + " is a symbolic link "
                    + "to " + hidden + ", which the postgres user cannot reach (missing, or a directory on the way is "
                    + "not searchable)"), n.error());
        } finally {
            Files.deleteIfExists(a.dataDirectory());
            Files.deleteIfExists(hidden);
        }
    }

    @Test
    void aServerAnsweringOnTheNodesPortWhileItsDataDirectoryIsMissingMakesItUnknown() throws Exception {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a); // runs from a.dataDirectory() on the node's address and port
        // the cluster file names a data directory that is not there, as when the file system it was on is gone
        String elsewhere = a.dir().resolve("mounted/data").toString();
        String entry = "{host: " + a.address() + ", name: " + a.name() + ", postgres: {dataDirectory: " + elsewhere
                + ", port: " + a.pgPort() + "}}";

        ObservedNode n = only(observe(load(clusterFile(List.of(entry)))));

        assertEquals(NodeState.UNKNOWN, n.state(), n.toString());
        assertEquals(Optional.of("a PostgreSQL server answers on this node's port while its data directory is missing: "
                + "that server runs from somewhere else (a file system not mounted, a moved data directory, another "
                + "server on the port)"), n.error());
        hosts.stop(a);
        assertEquals(NodeState.EMPTY, only(observe(load(clusterFile(List.of(entry))))).state(),
                "nothing answers any more: really empty");
    }

    @Test
    void aStoppedPrimaryTellsHowItStoppedAndItsLastCheckpoint() {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        hosts.stop(a); // fast: a clean shutdown

        ObservedNode clean = only(observe(load(clusterFile(List.of(entry(a))))));
        assertEquals(Optional.of("shut down"), clean.clusterState());
        assertTrue(clean.shutDownCleanly());
        assertTrue(clean.checkpoint().isPresent());

        hosts.start(a);
        hosts.kill(a);
        ObservedNode crashed = only(observe(load(clusterFile(List.of(entry(a))))));
        assertEquals(Optional.of("in production"), crashed.clusterState());
        assertFalse(crashed.shutDownCleanly());
    }

    @Test
    void aMarkerThatIsNotJsonMakesTheNodeUnknownAndPgrdsDoesNotLogIn() throws Exception {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        Files.createDirectories(stateDirectory(a));
        Files.writeString(stateDirectory(a).resolve("marker.json"), "{\"cluster\": \"orderdata/integ");
        hosts.run("chown", "-R", "postgres:postgres", stateDirectory(a).toString());

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        assertEquals(NodeState.UNKNOWN, n.state());
        assertTrue(n.error().orElseThrow().startsWith("the pgrds marker on the node cannot be read ("), n.error().get());
        assertTrue(n.running());
        assertEquals(Optional.empty(), n.marker());
        assertEquals(Optional.empty(), n.sql());
    }

    @Test
    void aDataDirectoryOfAnotherMajorVersionThanTheClusterWantsIsUnknown() {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);

        ObservedNode n = only(observe(load(clusterFile(16, List.of(entry(a))))));

        assertEquals(NodeState.UNKNOWN, n.state());
        assertEquals(Optional.of("the data directory is PostgreSQL 15, the cluster wants 16 (major upgrades are not"
                + " done by pgrds)"), n.error());
        assertEquals(Optional.of(15), n.version());
        assertTrue(n.running());
        assertEquals(Optional.empty(), n.sql());
    }

    @Test
    void aPartialDataDirectoryLeftByAnInterruptedCreateIsEmptyAndSaysItWillBeRedone() throws Exception {
        TestNode a = hosts.node(0);
        Files.createDirectories(a.dataDirectory().resolve("base"));
        Files.writeString(a.dataDirectory().resolve("PG_VERSION"), "15\n");
        Files.createDirectories(stateDirectory(a));
        Files.writeString(stateDirectory(a).resolve("creating"), "");
        hosts.run("chown", "-R", "postgres:postgres", a.dataDirectory().toString(), stateDirectory(a).toString());

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        assertEquals(NodeState.EMPTY, n.state());
        assertEquals(Optional.of("an interrupted create by pgrds left a partial data directory; it will be redone"),
                n.error());
        assertFalse(n.running());
    }

    // ---- UNREACHABLE ----------------------------------------------------------------------------------

    @Test
    void aNodeWhoseSshdIsDownIsUnreachableAndSaysTheConnectionWasRefused() {
        TestNode a = hosts.node(0);
        hosts.initPrimary(a);
        hosts.makeUnreachable(a);

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        assertEquals(ObservedNode.unreachable("node1", a.address(), refused(a), ReachFailure.REFUSED), n);
        assertTrue(hosts.isRunning(a), "PostgreSQL itself runs on; only SSH is gone");
    }

    @Test
    void aNodeWithAnUnknownHostKeyIsUnreachableNamingItsFingerprintAndHowToAcceptIt() throws Exception {
        TestNode a = hosts.node(0);
        Path empty = Files.createFile(tmp.resolve("known_hosts"));
        String fingerprint = Keys.fingerprint(a.hostPublicKey());

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a, "{knownHostsFile: " + empty + "}", null))))));

        String where = "[" + a.address() + "]:" + a.sshPort();
        assertEquals(NodeState.UNREACHABLE, n.state());
        assertEquals(Optional.of("Unable to connect to root@" + a.address() + ":" + a.sshPort() + ": its host key is"
                + " unknown. The server presented the ssh-ed25519 key " + fingerprint + ", which " + empty
                + " does not list for " + where + ". Check the fingerprint with the server's administrator (on the"
                + " server: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then run again with"
                + " --accept-new-host-keys to record it."), n.error());
        assertEquals("", Files.readString(empty), "nothing recorded without --accept-new-host-keys");
    }

    @Test
    void aNodeWhoseHostKeyChangedIsUnreachableWithAWarningNamingBothKeys() {
        TestNode a = hosts.node(0);
        String old = Keys.fingerprint(a.hostPublicKey());
        hosts.rotateHostKey(a);
        String presented = Keys.fingerprint(a.hostPublicKey());
        Path file = hosts.knownHosts();

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a))))));

        String where = "[" + a.address() + "]:" + a.sshPort();
        assertEquals(NodeState.UNREACHABLE, n.state());
        assertEquals(Optional.of("REFUSING to connect to root@" + a.address() + ":" + a.sshPort() + " (node node1):"
                + " the host key for " + where + " has changed! The server presented the ssh-ed25519 key " + presented
                + ", but " + file + " records ssh-ed25519 " + old + ". This is a possible man-in-the-middle attack"
                + " (or the server was reinstalled). --accept-new-host-keys never accepts a changed key: remove the"
                + " old key from " + file + " if the change is expected (ssh-keygen -R '" + where + "' -f " + file
                + "), then run again with --accept-new-host-keys."), n.error());
    }

    @Test
    void aNodeThatDoesNotAcceptTheClientKeyIsUnreachableNamingTheKeyTried() {
        TestNode a = hosts.node(0);
        Path stranger = tmp.resolve("stranger_ed25519");
        Keys.generate(stranger, "a key no node knows");

        ObservedNode n = only(observe(load(clusterFile(List.of(entry(a, "{identityFile: " + stranger + "}", null))))));

        assertEquals(NodeState.UNREACHABLE, n.state());
        String error = n.error().orElseThrow();
        assertTrue(error.startsWith("Unable to connect to root@" + a.address() + ":" + a.sshPort()
                + ": authentication as root failed with key " + stranger + " ("), error);
        assertTrue(error.endsWith("). Check that its public key is in root's authorized_keys on the node and that the"
                + " key file is the right one."), error);
    }

    // ---- many nodes -----------------------------------------------------------------------------------

    @Test
    void oneUnreachableNodeDoesNotKeepTheOthersFromBeingObservedFully() {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        TestNode c = hosts.node(2);
        hosts.initPrimary(a);
        hosts.cloneStandby(a, b);
        hosts.awaitStreaming(a, b);
        hosts.makeUnreachable(c);

        ObservedCluster o = observe(load(clusterFile(List.of(entry(a), entry(b), entry(c)))));

        assertEquals(List.of(NodeState.PRIMARY, NodeState.STANDBY, NodeState.UNREACHABLE),
                o.nodes().stream().map(ObservedNode::state).toList());
        ObservedNode primary = o.nodes().get(0);
        ObservedNode standby = o.nodes().get(1);
        assertEquals(Optional.empty(), primary.error());
        assertEquals(Optional.empty(), standby.error());
        assertEquals(List.of("node2"), primary.sql().orElseThrow().replication().stream()
                .map(ReplicationPeer::applicationName).toList());
        assertEquals(Optional.of("streaming"), standby.sql().orElseThrow().walReceiverStatus());
        assertEquals(ObservedNode.unreachable("node3", c.address(), refused(c), ReachFailure.REFUSED), o.nodes().get(2));
    }

    @Test
    void nodesComeBackInNameOrderWhateverTheFileOrderAndTheParallelism() {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        TestNode c = hosts.node(2);
        hosts.initPrimary(b);
        hosts.makeUnreachable(a);
        DesiredCluster cluster = load(clusterFile(List.of(entry(c), entry(b), entry(a))));
        assertEquals(List.of("node3", "node2", "node1"), cluster.nodes().stream().map(NodeSpec::name).toList());

        ObservedCluster parallel = observe(cluster, 16);
        ObservedCluster oneByOne = observe(cluster, 1);

        for (ObservedCluster o : List.of(parallel, oneByOne)) {
            assertEquals(List.of("node1", "node2", "node3"), o.nodes().stream().map(ObservedNode::name).toList());
            assertEquals(List.of(NodeState.UNREACHABLE, NodeState.PRIMARY, NodeState.EMPTY),
                    o.nodes().stream().map(ObservedNode::state).toList());
        }
        assertEquals(List.of("node1", "node2", "node3"),
                StatusView.of(parallel).rows().stream().map(StatusView.Row::node).toList());
    }

    @Test
    void everyNodeHasTheWholeDeadlineEvenWhenItWaitedForAFreeSlot() throws Exception {
        // three nodes 300 ms of round trip away, one observed at a time: each takes well under the deadline
        // (about 2.5 s), all three together well over it
        List<LatencyProxy> proxies = new ArrayList<>();
        try {
            List<String> entries = proxied(hosts.nodes(), Duration.ofMillis(150), proxies);
            // the first SSH connection of a JVM pays for loading and initialising sshj and its crypto: not here
            observe(load(clusterFile(hosts.nodes().stream().map(ObserveIT::entry).toList())));

            ObservedCluster o = observe(load(clusterFile(entries)), 1, Duration.ofSeconds(5));

            assertEquals(List.of(NodeState.EMPTY, NodeState.EMPTY, NodeState.EMPTY),
                    o.nodes().stream().map(ObservedNode::state).toList(), o.toString());
        } finally {
            proxies.forEach(LatencyProxy::close);
        }
    }

    @Test
    void aNodeThatDoesNotAnswerWithinTheDeadlineIsUnknownAndItsLateConnectionIsClosed() throws Exception {
        // 200 ms of round trip: the SSH handshake alone takes longer than a deadline of 1 s
        List<LatencyProxy> proxies = new ArrayList<>();
        try {
            List<String> entries = proxied(List.of(hosts.node(0)), Duration.ofMillis(100), proxies);
            ObservedNode n = only(observe(load(clusterFile(entries)), 16, Duration.ofSeconds(1)));

            assertEquals(ObservedNode.unknown("node1", hosts.node(0).address(), "no answer within 1 s"), n);
            LatencyProxy proxy = proxies.get(0);
            await(() -> proxy.openConnections() == 0, "the connection that was still being opened at the deadline"
                    + " is closed once it is open (" + proxy.openConnections() + " open)");
        } finally {
            proxies.forEach(LatencyProxy::close);
        }
    }

    // ---- former members -------------------------------------------------------------------------------

    @Test
    void aFormerMemberThatTheMarkersListButTheFileNoLongerDoesIsObservedToo() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        hosts.initPrimary(a);
        hosts.cloneStandby(a, b);
        hosts.stop(b);
        String sysid = systemIdentifier(a);
        writeMarker(a, new Marker(CLUSTER, Optional.of(sysid), false, List.of(member(a), member(b)),
                Optional.of("node1"), Optional.empty()));
        writeMarker(b, new Marker(CLUSTER, Optional.of(sysid), true, List.of(member(a), member(b)),
                Optional.of("node1"), Optional.empty()));

        ObservedCluster o = observe(load(clusterFile(List.of(entry(a)))));

        assertEquals(List.of("node1", "node2"), o.nodes().stream().map(ObservedNode::name).toList());
        assertEquals(NodeState.PRIMARY, o.nodes().get(0).state());
        ObservedNode former = o.nodes().get(1);
        assertEquals(NodeState.DEACTIVATED, former.state());
        assertEquals(b.address(), former.host());
        assertEquals(Optional.of(sysid), former.systemIdentifier());
    }

    @Test
    void aFormerMemberThatCannotBeReachedIsStillListedAsUnreachable() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        hosts.initPrimary(a);
        writeMarker(a, new Marker(CLUSTER, Optional.of(systemIdentifier(a)), false, List.of(member(a), member(b)),
                Optional.of("node1"), Optional.empty()));
        hosts.makeUnreachable(b);

        ObservedCluster o = observe(load(clusterFile(List.of(entry(a)))));

        assertEquals(List.of("node1", "node2"), o.nodes().stream().map(ObservedNode::name).toList());
        assertEquals(ObservedNode.unreachable("node2", b.address(), refused(b), ReachFailure.REFUSED), o.nodes().get(1));
    }

    @Test
    void aServerAnEarlierCommitListedIsObservedOnlyWhenItHoldsThisClustersData() throws Exception {
        TestNode a = hosts.node(0);
        TestNode b = hosts.node(1);
        TestNode c = hosts.node(2);
        hosts.initPrimary(a);
        hosts.cloneStandby(a, b);
        hosts.stop(b);
        writeMarker(b, new Marker(CLUSTER, Optional.of(systemIdentifier(a)), true, List.of(member(b)),
                Optional.of("node2"), Optional.empty()));
        String before = clusterFile(List.of(entry(a), entry(b), entry(c)));
        DesiredCluster cluster = load(clusterFile(List.of(entry(a))), List.of(before));
        assertEquals(List.of("node2", "node3"), cluster.formerNodes().stream().map(NodeSpec::name).toList());

        ObservedCluster o = observe(cluster);

        // node3 is EMPTY: nothing of this cluster there, so it is not part of the observation
        assertEquals(List.of("node1", "node2"), o.nodes().stream().map(ObservedNode::name).toList());
        assertEquals(List.of(NodeState.PRIMARY, NodeState.DEACTIVATED),
                o.nodes().stream().map(ObservedNode::state).toList());
    }
}
