package io.pgrds.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.ClusterId;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReplicationPeer;
import io.pgrds.observe.SqlFacts;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StatusRendererTest {
    private static final ClusterId ID = new ClusterId("orderdata", "integration");

    static ObservedNode node(String name, NodeState state, boolean running, Optional<SqlFacts> sql,
                             Optional<String> upstream) {
        return new ObservedNode(name, "10.0.0." + name.substring(2), state, Optional.empty(), running,
                Optional.of(15), Optional.of("7301"), Optional.of(2), upstream, Optional.empty(), new TreeMap<>(),
                new TreeMap<>(), Optional.of(8L << 30), Optional.of(40L << 30), false, Optional.empty(), sql);
    }

    static SqlFacts primarySql(long lagBytes) {
        return new SqlFacts("15.18", false, Optional.of(Lsn.parse("0/5000060")), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of(new ReplicationPeer("pg2", "10.0.0.2", "streaming",
                Optional.of(Lsn.parse("0/5000060")), lagBytes, Optional.of(lagBytes == 0 ? 0L : 12_500L))),
                new TreeMap<>(), List.of("admin", "pgrds", "replicator"), 12, 200, Optional.empty());
    }

    static SqlFacts standbySql(long lagMillis) {
        return new SqlFacts("15.18", true, Optional.empty(), Optional.of(Lsn.parse("0/5000060")),
                Optional.of(Lsn.parse("0/5000060")), Optional.of(lagMillis), Optional.of("streaming"), List.of(),
                new TreeMap<>(), List.of("admin", "pgrds", "replicator"), 3, 200, Optional.empty());
    }

    @Test
    void aHealthyClusterIsATableAndAnInSyncLine() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty()),
                node("pg2", NodeState.STANDBY, true, Optional.of(standbySql(0)), Optional.of("10.0.0.1"))));
        assertEquals("""
                pgrds status — commit 3f2a1c9 (main)

                orderdata/integration
                  NODE  HOST      STATE    RUNNING  VERSION  TL  LSN        LAG         CONNECTIONS  FREE DISK  REBOOT
                  pg1   10.0.0.1  PRIMARY  yes      15.18    2   0/5000060  -           12/200       40.0 GiB   no
                  pg2   10.0.0.2  STANDBY  yes      15.18    2   0/5000060  0 B / 0 ms  3/200        40.0 GiB   no
                  ✓ in sync: pg1 primary, 1 standby streaming
                """, StatusRenderer.text("commit 3f2a1c9 (main)", List.of(StatusView.of(c)), false));
    }

    @Test
    void aLaggingStandbyIsNamedWithItsLag() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(64L << 20)), Optional.empty()),
                node("pg2", NodeState.STANDBY, true, Optional.of(standbySql(12_500)), Optional.of("10.0.0.1"))));
        StatusView v = StatusView.of(c);
        assertEquals("lagging: pg2 64.0 MiB / 12.5 s", v.summary());
        assertEquals(false, v.healthy());
    }

    @Test
    void anUnreachableNodeIsNamedWithItsCause() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty()),
                ObservedNode.unreachable("pg2", "10.0.0.2", "connection refused")));
        String text = StatusRenderer.text("commit 3f2a1c9 (main)", List.of(StatusView.of(c)), false);
        assertTrue(text.endsWith("""
                  pg2   10.0.0.2  UNREACHABLE  no       -        -   -          -    -            -          no
                  pg2: connection refused
                  ✗ pg2 UNREACHABLE: connection refused
                """), text);
    }

    @Test
    void twoPrimariesAreCalledSplitBrain() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty()),
                node("pg2", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty())));
        assertEquals("DANGER: 2 nodes hold primary data (pg1, pg2): split brain", StatusView.of(c).summary());
    }

    @Test
    void colourOnlyWhenAsked() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty())));
        assertTrue(StatusRenderer.text("x", List.of(StatusView.of(c)), true).contains("\u001b[32m"));
        assertEquals(false, StatusRenderer.text("x", List.of(StatusView.of(c)), false).contains("\u001b["));
    }

    @Test
    void jsonCarriesEveryColumnWithAFormatVersion() {
        ObservedCluster c = new ObservedCluster(ID, List.of(
                node("pg1", NodeState.PRIMARY, true, Optional.of(primarySql(0)), Optional.empty()),
                ObservedNode.unreachable("pg2", "10.0.0.2", "connection refused")));
        String json = StatusRenderer.json(Optional.of("3f2a1c9"), List.of(StatusView.of(c)));
        assertTrue(json.contains("\"format_version\" : \"1\""), json);
        assertTrue(json.contains("\"state\" : \"UNREACHABLE\""), json);
        assertTrue(json.contains("\"error\" : \"connection refused\""), json);
        assertTrue(json.contains("\"max_connections\" : 200"), json);
    }
}
