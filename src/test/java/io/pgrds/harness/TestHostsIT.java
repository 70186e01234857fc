package io.pgrds.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness itself: nodes on their own addresses, a primary and a streaming standby, nothing left behind. */
class TestHostsIT {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(2);

    @Test
    void eachNodeHasItsOwnAddressAndListeningSshd() throws Exception {
        TestNode one = hosts.node(0);
        TestNode two = hosts.node(1);
        assertNotEquals(one.address(), two.address());
        for (TestNode node : hosts.nodes()) {
            assertTrue(node.address().matches("127\\.0\\.0\\.\\d+"), node.address());
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(node.address(), node.sshPort()), 1000);
            }
            assertEquals(node.address(), node.spec().host());
            assertEquals(node.dataDirectory().toString(), node.spec().dataDirectory());
        }
        assertEquals(2, Files.readAllLines(hosts.knownHosts()).size());
    }

    @Test
    void aClonedStandbyStreamsFromThePrimary() {
        TestNode primary = hosts.node(0);
        TestNode standby = hosts.node(1);

        hosts.initPrimary(primary);
        hosts.cloneStandby(primary, standby);
        hosts.awaitStreaming(primary, standby);

        assertEquals("f", hosts.psql(primary, "select pg_is_in_recovery()"));
        assertEquals("t", hosts.psql(standby, "select pg_is_in_recovery()"));
        assertEquals("streaming", hosts.psql(primary,
                "select state from pg_stat_replication where application_name = '" + standby.name() + "'"));
        assertTrue(Files.exists(standby.dataDirectory().resolve("standby.signal")));

        hosts.psql(primary, "create table t as select 42 as answer");
        String lsn = hosts.psql(primary, "select pg_current_wal_lsn()");
        awaitReplay(standby, lsn);
        assertEquals("42", hosts.psql(standby, "select answer from t"));
    }

    @Test
    void aKilledServerIsGoneAndStartsAgainAfterCrashRecovery() {
        TestNode node = hosts.node(0);
        if (!Files.exists(node.dataDirectory())) {
            hosts.initPrimary(node);
        } else if (!hosts.isRunning(node)) {
            hosts.start(node);
        }
        hosts.kill(node);
        assertFalse(hosts.isRunning(node));
        assertTrue(Files.exists(node.dataDirectory().resolve("postmaster.pid")), "a crash leaves the pid file");
        hosts.start(node);
        assertEquals("1", hosts.psql(node, "select 1"));
        hosts.stop(node);
        assertFalse(hosts.isRunning(node));
        hosts.start(node);
    }

    @Test
    void anUnreachableNodeRefusesConnectionsUntilReachableAgain() throws Exception {
        TestNode node = hosts.node(1);
        hosts.makeUnreachable(node);
        assertThrows(java.net.ConnectException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(node.address(), node.sshPort()), 1000);
            }
        });
        hosts.makeReachable(node);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(node.address(), node.sshPort()), 1000);
        }
    }

    @Test
    void closeStopsEverythingItStartedAndDeletesItsDirectories() throws Exception {
        TestHosts own = TestHosts.create(2).start();
        List<String> ownAddresses;
        Path root;
        long postmasterPid;
        try {
            ownAddresses = own.nodes().stream().map(TestNode::address).toList();
            for (TestNode node : hosts.nodes()) {
                assertFalse(ownAddresses.contains(node.address()), "addresses are leased to one user at a time");
            }
            root = own.root();
            own.initPrimary(own.node(0));
            postmasterPid = Long.parseLong(Files.readAllLines(own.node(0).dataDirectory().resolve("postmaster.pid"))
                    .get(0).trim());
            assertTrue(ProcessHandle.of(postmasterPid).isPresent());
        } finally {
            own.close();
        }
        // exited; init may not have reaped it yet
        assertFalse(ProcessHandle.of(postmasterPid).map(h -> h.isAlive() && !Cleanup.isZombie(h)).orElse(false),
                "postmaster stopped");
        for (String address : ownAddresses) {
            for (int port : new int[] {2222, 5432}) {
                assertThrows(java.net.ConnectException.class, () -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(address, port), 1000);
                    }
                }, address + ":" + port + " still listens");
            }
        }
        assertFalse(Files.exists(root), root + " deleted");
    }

    private static void awaitReplay(TestNode standby, String lsn) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (hosts.psql(standby, "select pg_last_wal_replay_lsn() >= '" + lsn + "'").equals("t")) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError(standby + " did not replay up to " + lsn);
    }
}
