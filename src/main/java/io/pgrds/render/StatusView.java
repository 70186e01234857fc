package io.pgrds.render;

import io.pgrds.observe.ArchiveHealth;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReplicationPeer;
import io.pgrds.observe.SqlFacts;
import io.pgrds.util.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code pgrds status} shows for a cluster, derived from one observation: a row per node and one
 * sentence for the cluster (in sync, lagging by how much, or what is wrong). Pure. WAL archiving that fails or
 * falls behind ({@link ArchiveHealth}) makes the cluster unhealthy: it fills the primary's disk.
 */
public record StatusView(String cluster, List<Row> rows, boolean healthy, String summary) {

    /**
     * One node's line. Lag is relative to the primary's current WAL position; {@code archive} is present for a
     * running node that archives WAL.
     */
    public record Row(String node, String host, NodeState state, boolean running, Optional<String> version,
                      Optional<Integer> timeline, Optional<Lsn> lsn, Optional<Long> lagBytes, Optional<Long> lagMillis,
                      Optional<Integer> connections, Optional<Integer> maxConnections, Optional<Long> freeDiskBytes,
                      boolean rebootRequired, Optional<String> upstream, Optional<String> error,
                      Optional<ArchiveHealth> archive) {
    }

    /** Lag at which a standby no longer counts as in sync: 16 MiB (one WAL segment) or 10 s. */
    static final long LAG_BYTES = 16L * 1024 * 1024;
    static final long LAG_MILLIS = 10_000;

    public static StatusView of(ObservedCluster c) {
        List<ObservedNode> primaries = c.nodes().stream()
                .filter(n -> n.state() == NodeState.PRIMARY && n.running()).toList();
        Optional<ObservedNode> primary = primaries.size() == 1 ? Optional.of(primaries.get(0)) : Optional.empty();
        Optional<Lsn> head = primary.flatMap(p -> p.sql().flatMap(SqlFacts::currentLsn));
        List<Row> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> lagging = new ArrayList<>();
        int streaming = 0;
        for (ObservedNode n : c.nodes()) {
            Optional<SqlFacts> sql = n.sql();
            Optional<Lsn> lsn = n.position();
            Optional<Long> lagBytes = Optional.empty();
            Optional<Long> lagMillis = Optional.empty();
            if (n.state() == NodeState.STANDBY && primary.isPresent()) {
                Optional<ReplicationPeer> peer = primary.get().sql().flatMap(p -> p.replication().stream()
                        .filter(r -> r.applicationName().equals(n.name())).findFirst());
                lagBytes = peer.map(ReplicationPeer::lagBytes)
                        .or(() -> head.flatMap(h -> lsn.map(l -> Math.max(0, h.minus(l)))));
                lagMillis = sql.flatMap(SqlFacts::replayLagMillis).or(() -> peer.flatMap(ReplicationPeer::replayLagMillis));
                boolean isStreaming = sql.flatMap(SqlFacts::walReceiverStatus).map("streaming"::equals).orElse(false)
                        || peer.map(p -> "streaming".equals(p.state())).orElse(false);
                if (!n.running()) {
                    problems.add(n.name() + " is stopped");
                } else if (!isStreaming) {
                    problems.add(n.name() + " is not streaming");
                } else {
                    streaming++;
                    long b = lagBytes.orElse(0L);
                    long ms = lagMillis.orElse(0L);
                    if (b > LAG_BYTES || ms > LAG_MILLIS) {
                        lagging.add(n.name() + " " + Units.bytes(b) + " / " + Units.millis(ms));
                    }
                }
            }
            switch (n.state()) {
                case UNREACHABLE, UNKNOWN, NO_POSTGRES, FOREIGN -> problems.add(n.name() + " " + n.state()
                        + n.error().map(e -> ": " + e).orElse(""));
                case PRIMARY -> {
                    if (!n.running()) {
                        problems.add(n.name() + " (primary) is stopped");
                    }
                }
                case EMPTY -> problems.add(n.name() + " is EMPTY (no data yet)");
                default -> {
                }
            }
            Optional<ArchiveHealth> archive = ArchiveHealth.of(n);
            archive.filter(ArchiveHealth::problem).ifPresent(a -> problems.add(a.brief()));
            rows.add(new Row(n.name(), n.host(), n.state(), n.running(),
                    sql.map(SqlFacts::serverVersion).or(() -> n.version().map(String::valueOf)), n.timeline(), lsn,
                    lagBytes, lagMillis, sql.map(SqlFacts::connections), sql.map(SqlFacts::maxConnections),
                    n.freeDiskBytes(), n.rebootRequired(), n.upstream(), n.error(), archive));
        }
        String summary;
        boolean healthy = false;
        long allPrimaries = c.nodes().stream().filter(n -> n.state() == NodeState.PRIMARY).count();
        if (allPrimaries > 1) {
            summary = "DANGER: " + allPrimaries + " nodes hold primary data ("
                    + String.join(", ", c.nodes().stream().filter(n -> n.state() == NodeState.PRIMARY)
                    .map(ObservedNode::name).toList()) + "): split brain";
        } else if (primary.isEmpty()) {
            summary = "no running primary" + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
        } else if (!problems.isEmpty()) {
            summary = String.join("; ", problems);
        } else if (!lagging.isEmpty()) {
            summary = "lagging: " + String.join(", ", lagging);
        } else {
            healthy = true;
            summary = "in sync: " + primary.get().name() + " primary, " + streaming
                    + (streaming == 1 ? " standby" : " standbys") + " streaming";
        }
        return new StatusView(c.id().toString(), rows, healthy, summary);
    }
}
