package io.pgrds.observe;

import io.pgrds.transport.target.Become;
import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.Repository;
import io.pgrds.transport.target.SshSettings;
import io.pgrds.transport.Sessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
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
    private final Function<ClusterId, Optional<DesiredCluster>> fleet;

    public Observer(Sessions sessions, int parallel, Duration deadline) {
        this(sessions, parallel, deadline, id -> Optional.empty());
    }

    /**
     * @param fleet the clusters of the fleet by id: a cluster whose file bootstraps it by a restore has its source's
     *              backups read (see {@link RestoreSource}) when the source is found here
     */
    public Observer(Sessions sessions, int parallel, Duration deadline,
                    Function<ClusterId, Optional<DesiredCluster>> fleet) {
        this.sessions = sessions;
        this.parallel = Math.max(1, parallel);
        this.deadline = deadline;
        this.fleet = fleet;
    }

    /** Which node of a cluster would be restored into, from which source and repository, and the info to run. */
    private record RestoreAsk(ClusterId from, String node, Repository repository, List<String> infoArguments) {
    }

    /**
     * For a cluster the file bootstraps by a restore: the node the planner would restore into (the pinned one,
     * else the first), whose probe also reads the source's backups while it holds no data.
     */
    private Optional<RestoreAsk> restoreAsk(DesiredCluster c) {
        if (!(c.bootstrap() instanceof Bootstrap.Restore r) || c.nodes().isEmpty()) {
            return Optional.empty();
        }
        return fleet.apply(r.from()).flatMap(DesiredCluster::backup).map(BackupSpec::repository).map(repository ->
                new RestoreAsk(r.from(), c.bootstrapNode(), repository,
                        BackupCatalog.infoArguments(repository, BackupSpec.stanza(r.from()))));
    }

    public List<ObservedCluster> observe(List<DesiredCluster> clusters) {
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "pgrds-observe");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<DesiredCluster, RestoreAsk> asks = new LinkedHashMap<>();
            clusters.forEach(c -> restoreAsk(c).ifPresent(a -> asks.put(c, a)));
            Map<ClusterId, RestoreSource> sources = new java.util.concurrent.ConcurrentHashMap<>();
            Map<DesiredCluster, List<ObservedNode>> first = observeAll(pool, clusters.stream().collect(
                    Collectors.toMap(c -> c, DesiredCluster::nodes, (a, b) -> a, LinkedHashMap::new)), asks, sources);
            Map<DesiredCluster, List<NodeSpec>> former = new LinkedHashMap<>();
            for (Map.Entry<DesiredCluster, List<ObservedNode>> e : first.entrySet()) {
                List<NodeSpec> candidates = new ArrayList<>(formerMembers(e.getKey(), e.getValue()));
                Set<String> names = candidates.stream().map(NodeSpec::name).collect(Collectors.toSet());
                e.getKey().formerNodes().stream().filter(n -> !names.contains(n.name())).forEach(candidates::add);
                former.put(e.getKey(), candidates);
            }
            Map<DesiredCluster, List<ObservedNode>> second = observeAll(pool, former, Map.of(), sources);
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
                out.add(new ObservedCluster(c.id(), nodes, Optional.ofNullable(sources.get(c.id()))));
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
    private record Pending(NodeSpec node, Future<NodeObserver.Result> result, CompletableFuture<Long> started) {
    }

    /**
     * @param asks    the restore sources to read, by cluster: on their node, in the same round trip as its probe
     * @param sources where what was read goes, by cluster id
     */
    private Map<DesiredCluster, List<ObservedNode>> observeAll(ExecutorService pool,
                                                               Map<DesiredCluster, List<NodeSpec>> work,
                                                               Map<DesiredCluster, RestoreAsk> asks,
                                                               Map<ClusterId, RestoreSource> sources) {
        Map<DesiredCluster, List<Pending>> pending = new LinkedHashMap<>();
        for (Map.Entry<DesiredCluster, List<NodeSpec>> e : work.entrySet()) {
            DesiredCluster c = e.getKey();
            List<Pending> ps = new ArrayList<>();
            RestoreAsk ask = asks.get(c);
            for (NodeSpec n : e.getValue()) {
                CompletableFuture<Long> started = new CompletableFuture<>();
                boolean asked = ask != null && ask.node().equals(n.name());
                ps.add(new Pending(n, pool.submit(() -> {
                    started.complete(System.nanoTime());
                    NodeObserver.Result r = NodeObserver.observe(sessions, c.transport(), c.id(),
                            c.postgres().version(), n, deadline, asked ? ask.infoArguments() : List.of());
                    if (asked) {
                        restoreSource(ask, r).ifPresent(source -> sources.put(c.id(), source));
                    }
                    return r;
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
                    nodes.add(p.result().get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS).node());
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

    /** What the probe of a restore's node read of the source's backups; empty when it held data and read none. */
    private static Optional<RestoreSource> restoreSource(RestoreAsk ask, NodeObserver.Result r) {
        if (r.sourceCatalog().isPresent()) {
            try {
                return Optional.of(new RestoreSource(ask.from(), ask.node(), Optional.of(BackupCatalog.parse(
                        r.sourceCatalog().get(), ask.repository().name())), Optional.empty()));
            } catch (IllegalArgumentException e) {
                return Optional.of(new RestoreSource(ask.from(), ask.node(), Optional.empty(), Optional.of(
                        e.getMessage())));
            }
        }
        return r.sourceCatalogError().map(error -> new RestoreSource(ask.from(), ask.node(), Optional.empty(),
                Optional.of(error.strip())));
    }

    /**
     * How to reach a former member: user and port as its marker recorded them, the rest as the cluster's first node
     * has it (keys, known hosts, jump hosts, SSH configuration). Where the marker holds what the cluster files left
     * unset (pgrds's defaults), it stays unset, so the SSH configuration still applies as it did.
     */
    private static SshSettings formerSsh(Marker.Member m, SshSettings base) {
        if (base == null) {
            return new SshSettings(m.sshUser(), m.sshPort(), java.util.Optional.empty(), java.util.Optional.empty(),
                    io.pgrds.transport.target.Become.SUDO);
        }
        java.util.Optional<String> user = base.configuredUser().isEmpty() && m.sshUser().equals(base.user())
                ? java.util.Optional.empty() : java.util.Optional.of(m.sshUser());
        java.util.OptionalInt port = base.configuredPort().isEmpty() && m.sshPort() == base.port()
                ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(m.sshPort());
        return new SshSettings(user, port, base.identityFile(), base.knownHostsFile(), base.become(), base.jump(),
                base.configFile());
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
                .forEach(m -> former.putIfAbsent(m.name(), new NodeSpec(m.name(), m.host(), formerSsh(m, base),
                        m.binDir(), m.dataDirectory(), m.port())));
        return new ArrayList<>(former.values());
    }
}
