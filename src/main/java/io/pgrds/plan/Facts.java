package io.pgrds.plan;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.Marker;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.RestoreSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What the planner reads off one desired cluster and its observation; immutable, built once per plan. */
final class Facts {
    /** Most advanced first: timeline, then the WAL held (unknown last), then name. */
    static final Comparator<ObservedNode> MOST_ADVANCED = Comparator
            .comparing((ObservedNode n) -> n.timeline().orElse(Integer.MIN_VALUE), Comparator.reverseOrder())
            .thenComparing(n -> n.held().orElse(null), Comparator.nullsLast(Comparator.<Lsn>reverseOrder()))
            .thenComparing(ObservedNode::name);

    final DesiredCluster desired;
    final String id;
    final List<NodeSpec> desiredNodes;
    final Set<String> desiredNames;
    final List<ObservedNode> all;
    final List<ObservedNode> former;
    final Optional<String> pin;
    final Optional<String> markerPrimary;
    /** The last failover as the newest markers record it (while its primary stays and the pin names another). */
    final Optional<Marker.Failover> failoverMark;
    /** The restore source's backups as the node to restore into read them; empty when not read. */
    final Optional<RestoreSource> restoreSource;
    /** What the operator confirmed on the command line. */
    final Confirmations confirmations;
    /** The cluster's fence hook, run before promoting in place of a former primary pgrds cannot see stopped. */
    final Optional<String> fenceHook;
    private final Map<String, ObservedNode> byName;
    private final Map<String, List<String>> namesByHost;
    private final Map<String, String> nameByHostPort;

    Facts(DesiredCluster desired, ObservedCluster observed) {
        this(desired, observed, Confirmations.NONE);
    }

    Facts(DesiredCluster desired, ObservedCluster observed, Confirmations confirmations) {
        this.desired = desired;
        this.confirmations = confirmations;
        this.fenceHook = desired.fence();
        this.id = desired.id().toString();
        this.desiredNodes = desired.nodes();
        this.desiredNames = desired.nodes().stream().map(NodeSpec::name)
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        this.all = observed.nodes();
        this.byName = new HashMap<>();
        observed.nodes().forEach(n -> byName.put(n.name(), n));
        this.former = observed.nodes().stream().filter(n -> !desiredNames.contains(n.name())).toList();
        this.pin = desired.primary();
        this.markerPrimary = markerPrimary(desired, observed.nodes());
        this.failoverMark = observed.lastFailover();
        this.restoreSource = observed.restoreSource();

        Map<String, Integer> ports = new HashMap<>();
        for (ObservedNode n : observed.nodes()) {
            n.marker().ifPresent(m -> m.members().forEach(mem -> ports.putIfAbsent(mem.name(), mem.port())));
        }
        desired.nodes().forEach(n -> ports.put(n.name(), n.port()));
        Map<String, String> hosts = new TreeMap<>();
        observed.nodes().forEach(n -> hosts.put(n.name(), n.host()));
        desired.nodes().forEach(n -> hosts.put(n.name(), n.host()));
        this.namesByHost = new HashMap<>();
        this.nameByHostPort = new HashMap<>();
        hosts.forEach((name, host) -> {
            namesByHost.computeIfAbsent(host, h -> new ArrayList<>()).add(name);
            if (ports.containsKey(name)) {
                nameByHostPort.put(host + ":" + ports.get(name), name);
            }
        });
    }

    Optional<ObservedNode> node(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    ObservedNode get(String name) {
        ObservedNode n = byName.get(name);
        if (n == null) {
            throw new IllegalStateException("node checked before: " + name);
        }
        return n;
    }

    boolean isDesired(String name) {
        return desiredNames.contains(name);
    }

    /**
     * Whether {@code name} is the primary the watching daemon lost, as far as planning goes: it is still a node of
     * the file, the cluster's records name it primary, no other node runs as primary, and a standby of the file holds
     * data to fail over to. Beside a running primary it is an unseen node like any other.
     */
    boolean isLost(String name) {
        return confirmations.lost().filter(l -> l.node().equals(name)).isPresent() && isDesired(name)
                && PrimaryRules.formerPrimary(this).filter(name::equals).isPresent()
                && all.stream().noneMatch(n -> n.state() == NodeState.PRIMARY && n.running()
                && !n.name().equals(name))
                && desiredNodes.stream().map(n -> byName.get(n.name())).anyMatch(n -> n != null
                && n.state() == NodeState.STANDBY);
    }

    /** A node of the file pgrds cannot see (only the lost primary passes the checks so): no action may touch it. */
    boolean unseen(String name) {
        return node(name).filter(n -> n.state() == NodeState.UNREACHABLE || n.state() == NodeState.UNKNOWN)
                .isPresent();
    }

    /** How recent a standby's last message from a sender must be to prove that sender alive. */
    long receivedRecentlyMillis() {
        return confirmations.lost().map(Confirmations.Lost::recentMillis).orElse(FailoverRules.RECEIVED_RECENTLY_MILLIS);
    }

    /**
     * The standbys of the file that are detached: running, in recovery, with no upstream configured and no WAL
     * receiver streaming. With a quorum of K among N standbys, N−K+1 of them detached means the former primary can
     * never again collect K acknowledgements, and every commit it acknowledged is on one of them.
     */
    List<ObservedNode> detachedStandbys() {
        return desiredNodes.stream().map(n -> byName.get(n.name())).filter(java.util.Objects::nonNull)
                .filter(n -> n.state() == NodeState.STANDBY && n.running() && n.upstream().isEmpty())
                .filter(n -> n.sql().isPresent() && n.sql().get().inRecovery() && n.sql().get().walReceiverStatus()
                        .filter("streaming"::equals).isEmpty())
                .toList();
    }

    /** With a quorum of K: how many standbys must be detached before a failover without the old primary (N−K+1). */
    Optional<Integer> quorumToDetach() {
        return desired.durability() instanceof io.pgrds.desired.Durability.Quorum q
                ? Optional.of(q.toDetach(desiredNodes.size() - 1)) : Optional.empty();
    }

    /** The node a standby streams from, when its upstream ({@code host} or {@code host:port}) names exactly one. */
    Optional<String> upstreamNode(ObservedNode n) {
        return n.upstream().flatMap(this::resolve);
    }

    /** The upstream for display: the node's name when known, else the host as configured. */
    Optional<String> upstreamText(ObservedNode n) {
        return n.upstream().map(u -> resolve(u).orElse(u));
    }

    /** A node's host, from the file, else from the markers. */
    Optional<String> host(String name) {
        return desired.node(name).map(NodeSpec::host).or(() -> member(name).map(Marker.Member::host))
                .or(() -> node(name).map(ObservedNode::host));
    }

    /** A node's PostgreSQL port, from the file, else from the markers. */
    Optional<Integer> port(String name) {
        return desired.node(name).map(NodeSpec::port).or(() -> member(name).map(Marker.Member::port));
    }

    private Optional<Marker.Member> member(String name) {
        return all.stream().flatMap(n -> n.marker().stream()).flatMap(m -> m.members().stream())
                .filter(m -> m.name().equals(name)).findFirst();
    }

    /** The node listening at {@code host:port} (as a WAL receiver names its sender), when exactly one does. */
    Optional<String> nodeAt(String hostPort) {
        return resolve(hostPort);
    }

    private Optional<String> resolve(String upstream) {
        String exact = nameByHostPort.get(upstream);
        if (exact != null) {
            return Optional.of(exact);
        }
        List<String> names = namesByHost.getOrDefault(upstream, List.of());
        return names.size() == 1 ? Optional.of(names.get(0)) : Optional.empty();
    }

    /**
     * The primary as last applied. Every node keeps its own copy of the marker; a node that was unreachable
     * during the last apply keeps an older copy. The copy held at the highest timeline is the newest (a
     * failover raises the timeline); among those, the most common value, then the first holder by name.
     */
    private static Optional<String> markerPrimary(DesiredCluster desired, List<ObservedNode> nodes) {
        List<ObservedNode> holders = nodes.stream()
                .filter(n -> n.marker().filter(m -> m.cluster().equals(desired.id())).flatMap(Marker::primary)
                        .isPresent())
                .sorted(Comparator.comparing((ObservedNode n) -> n.timeline().orElse(Integer.MIN_VALUE),
                        Comparator.reverseOrder()).thenComparing(ObservedNode::name))
                .toList();
        if (holders.isEmpty()) {
            return Optional.empty();
        }
        int top = holders.get(0).timeline().orElse(Integer.MIN_VALUE);
        Map<String, Integer> votes = new LinkedHashMap<>();
        holders.stream().filter(n -> n.timeline().orElse(Integer.MIN_VALUE) == top)
                .forEach(n -> votes.merge(n.marker().orElseThrow().primary().orElseThrow(), 1, Integer::sum));
        String best = null;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (best == null || e.getValue() > votes.get(best)) {
                best = e.getKey();
            }
        }
        return Optional.ofNullable(best);
    }

    /** True when {@code a} has WAL that {@code b} may lack: higher timeline, or same timeline and further ahead. */
    static boolean ahead(ObservedNode a, ObservedNode b) {
        int ta = a.timeline().orElse(Integer.MIN_VALUE);
        int tb = b.timeline().orElse(Integer.MIN_VALUE);
        if (ta != tb) {
            return ta > tb;
        }
        if (a.held().isEmpty()) {
            return false;
        }
        return b.held().isEmpty() || a.held().get().compareTo(b.held().get()) > 0;
    }

    /** {@code timeline 2 at 0/3000060}, for messages. */
    static String where(ObservedNode n) {
        return "timeline " + n.timeline().map(String::valueOf).orElse("unknown") + " at "
                + n.position().map(Lsn::toString).orElse("an unknown position");
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " bytes";
        }
        if (b < 1024L * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }
}
