package io.pgrds.observe;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.SshSettings;
import io.pgrds.transport.Sessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Observes every node of the selected clusters in parallel (a bounded pool, a deadline per node counted from when
 * its observation starts, so that waiting for a free slot does not use it up). The nodes
 * of the file come first; then every former member that the cluster's own markers still list, so a node
 * removed from the file is seen (and can be deactivated) from any machine.
 */
public final class Observer {
    private final Sessions sessions;
    private final int parallel;
    private final Duration deadline;

    public Observer(Sessions sessions, int parallel, Duration deadline) {
        this.sessions = sessions;
        this.parallel = Math.max(1, parallel);
        this.deadline = deadline;
    }

    public List<ObservedCluster> observe(List<DesiredCluster> clusters) {
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "pgrds-observe");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<DesiredCluster, List<ObservedNode>> first = observeAll(pool, clusters.stream().collect(
                    Collectors.toMap(c -> c, DesiredCluster::nodes, (a, b) -> a, LinkedHashMap::new)));
            Map<DesiredCluster, List<NodeSpec>> former = new LinkedHashMap<>();
            for (Map.Entry<DesiredCluster, List<ObservedNode>> e : first.entrySet()) {
                List<NodeSpec> candidates = new ArrayList<>(formerMembers(e.getKey(), e.getValue()));
                Set<String> names = candidates.stream().map(NodeSpec::name).collect(Collectors.toSet());
                e.getKey().formerNodes().stream().filter(n -> !names.contains(n.name())).forEach(candidates::add);
                former.put(e.getKey(), candidates);
            }
            Map<DesiredCluster, List<ObservedNode>> second = observeAll(pool, former);
            List<ObservedCluster> out = new ArrayList<>();
            for (DesiredCluster c : clusters) {
                List<ObservedNode> nodes = new ArrayList<>(first.get(c));
                Set<String> fromMarkers = formerMembers(c, first.get(c)).stream().map(NodeSpec::name)
                        .collect(Collectors.toSet());
                for (ObservedNode n : second.getOrDefault(c, List.of())) {
                    // a server an earlier commit listed counts only if it holds this cluster's data
                    if (fromMarkers.contains(n.name()) || n.marker().map(m -> m.cluster().equals(c.id()))
                            .orElse(false)) {
                        nodes.add(n);
                    }
                }
                out.add(new ObservedCluster(c.id(), nodes));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    public ObservedCluster observe(DesiredCluster cluster) {
        return observe(List.of(cluster)).get(0);
    }

    /** One node's observation in the pool; {@code started} completes with System.nanoTime() when it begins. */
    private record Pending(NodeSpec node, Future<ObservedNode> result, CompletableFuture<Long> started) {
    }

    private Map<DesiredCluster, List<ObservedNode>> observeAll(ExecutorService pool,
                                                               Map<DesiredCluster, List<NodeSpec>> work) {
        Map<DesiredCluster, List<Pending>> pending = new LinkedHashMap<>();
        for (Map.Entry<DesiredCluster, List<NodeSpec>> e : work.entrySet()) {
            DesiredCluster c = e.getKey();
            List<Pending> ps = new ArrayList<>();
            for (NodeSpec n : e.getValue()) {
                CompletableFuture<Long> started = new CompletableFuture<>();
                ps.add(new Pending(n, pool.submit(() -> {
                    started.complete(System.nanoTime());
                    return NodeObserver.observe(sessions, c.transport(), c.id(), c.postgres().version(), n, deadline);
                }), started));
            }
            pending.put(c, ps);
        }
        Map<DesiredCluster, List<ObservedNode>> out = new LinkedHashMap<>();
        for (Map.Entry<DesiredCluster, List<Pending>> e : pending.entrySet()) {
            List<ObservedNode> nodes = new ArrayList<>();
            for (Pending p : e.getValue()) {
                NodeSpec n = p.node();
                try {
                    // the deadline is the node's own, counted from when its observation starts, not from when it
                    // was queued behind other nodes: the pool starts them in order, and every one before it ends
                    // or is cancelled at its own deadline
                    long until = p.started().get() + deadline.toNanos();
                    nodes.add(p.result().get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException ex) {
                    p.result().cancel(true);
                    nodes.add(ObservedNode.unknown(n.name(), n.host(), "no answer within " + deadline.toSeconds()
                            + " s"));
                } catch (ExecutionException ex) {
                    nodes.add(ObservedNode.unknown(n.name(), n.host(), "observation failed: " + ex.getCause()));
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    nodes.add(ObservedNode.unknown(n.name(), n.host(), "interrupted"));
                }
            }
            out.put(e.getKey(), nodes);
        }
        return out;
    }

    /** Members that the markers list but the file no longer does. */
    public static List<NodeSpec> formerMembers(DesiredCluster c, List<ObservedNode> observed) {
        Set<String> desired = c.nodes().stream().map(NodeSpec::name).collect(Collectors.toSet());
        SshSettings base = c.nodes().isEmpty() ? null : c.nodes().get(0).ssh();
        Map<String, NodeSpec> former = new LinkedHashMap<>();
        observed.stream().flatMap(n -> n.marker().stream()).filter(m -> m.cluster().equals(c.id()))
                .flatMap(m -> m.members().stream())
                .filter(m -> !desired.contains(m.name()))
                .sorted(java.util.Comparator.comparing(Marker.Member::name))
                .forEach(m -> former.putIfAbsent(m.name(), new NodeSpec(m.name(), m.host(),
                        new SshSettings(m.sshUser(), m.sshPort(), base == null ? java.util.Optional.empty()
                                : base.identityFile(), base == null ? java.util.Optional.empty()
                                : base.knownHostsFile(), base == null ? io.pgrds.desired.Become.SUDO : base.become()),
                        m.binDir(), m.dataDirectory(), m.port())));
        return new ArrayList<>(former.values());
    }
}
