package io.pgrds.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.transport.target.Transport;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.harness.LatencyProxy;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.Observer;
import io.pgrds.source.Snapshot;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.NodeShells;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.ShellOptions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Observes one node, then N nodes (default 20), each behind a TCP proxy that adds 50 ms in each direction
 * (100 ms round trip) in front of its real sshd, and prints the wall times and their ratio. Node 1 runs a
 * PostgreSQL primary (SSH probe plus SQL through the tunnel); the other nodes are EMPTY (SSH probe only), which
 * is enough to show whether nodes are observed in parallel. Each run is what one {@code pgrds status} pays:
 * fresh sessions (SSH connect, host key check, authentication), observation, closing. Best and median of
 * several rounds after a warm-up; the same without the proxies as a baseline; and the per-node round trips,
 * counted by a wrapping {@link Sessions.Opener}. Target: N nodes under 2× one node.
 *
 * <p>Run with {@code bench/observe.sh [nodes] [rounds] [one-way-ms]} (as root: the harness starts sshd).
 */
public final class ObserveBench {
    private static final ClusterId CLUSTER = new ClusterId("bench", "observe");
    private static final String FILE = "clusters/bench/observe.yaml";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private ObserveBench() {
    }

    /** What the shells of one run did. */
    private static final class Counts {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger execs = new AtomicInteger();
        final AtomicInteger tunnels = new AtomicInteger();
    }

    /** A shell that counts what passes through it. */
    private record CountingShell(NodeShell shell, Counts counts) implements NodeShell {
        @Override
        public ExecResult exec(Exec exec) {
            counts.execs.incrementAndGet();
            return shell.exec(exec);
        }

        @Override
        public void writeFile(String path, byte[] content, String owner, int mode) {
            counts.execs.incrementAndGet();
            shell.writeFile(path, content, owner, mode);
        }

        @Override
        public Endpoint tunnel(String host, int port) {
            counts.tunnels.incrementAndGet();
            return shell.tunnel(host, port);
        }

        @Override
        public String describe() {
            return shell.describe();
        }

        @Override
        public void close() {
            shell.close();
        }
    }

    private record Run(long nanos, ObservedCluster observed, Counts counts) {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long oneWayMs = args.length > 2 ? Long.parseLong(args[2]) : 50;
        TestHosts hosts = TestHosts.create(count);
        List<LatencyProxy> proxies = new ArrayList<>();
        try {
            hosts.start();
            hosts.initPrimary(hosts.node(0));

            StringBuilder knownHosts = new StringBuilder();
            List<String> proxied = new ArrayList<>();
            List<String> direct = new ArrayList<>();
            Path proxiedKnownHosts = hosts.root().resolve("known_hosts_proxied");
            for (TestNode n : hosts.nodes()) {
                LatencyProxy p = LatencyProxy.start(n.address(), new InetSocketAddress(n.address(), n.sshPort()),
                        Duration.ofMillis(oneWayMs));
                proxies.add(p);
                String[] key = Files.readString(n.hostPublicKey()).trim().split("\\s+");
                knownHosts.append('[').append(n.address()).append("]:").append(p.port()).append(' ').append(key[0])
                        .append(' ').append(key[1]).append('\n');
                proxied.add(entry(n, p.port(), proxiedKnownHosts));
                direct.add(entry(n, n.sshPort(), hosts.knownHosts()));
            }
            Files.writeString(proxiedKnownHosts, knownHosts);
            DesiredCluster oneProxied = load(hosts, proxied.subList(0, 1));
            DesiredCluster allProxied = load(hosts, proxied);
            DesiredCluster oneDirect = load(hosts, direct.subList(0, 1));
            DesiredCluster allDirect = load(hosts, direct);

            // warm-up: class loading, JIT, the first key exchange; not measured
            for (int i = 0; i < 2; i++) {
                check(observe(oneDirect, 16), 1);
                check(observe(allDirect, 16), count);
                check(observe(oneProxied, 16), 1);
            }
            int proxyConnectionsBefore = proxies.stream().mapToInt(LatencyProxy::connections).sum();
            int roundTripsBefore = proxies.stream().mapToInt(LatencyProxy::roundTrips).sum();

            long[] one = new long[rounds];
            long[] all16 = new long[rounds];
            long[] allWide = new long[rounds];
            long[] oneRaw = new long[rounds];
            long[] allRaw = new long[rounds];
            Run sample = null;
            int primaryTrips = proxies.get(0).roundTrips();
            check(observe(oneProxied, 16), 1);
            primaryTrips = proxies.get(0).roundTrips() - primaryTrips;
            int emptyTrips = proxies.get(1).roundTrips();
            check(observe(allProxied, count), count);
            emptyTrips = proxies.get(1).roundTrips() - emptyTrips;
            for (int r = 0; r < rounds; r++) {
                one[r] = check(observe(oneProxied, 16), 1).nanos();
                sample = check(observe(allProxied, 16), count);
                all16[r] = sample.nanos();
                allWide[r] = check(observe(allProxied, count), count).nanos();
                oneRaw[r] = check(observe(oneDirect, 16), 1).nanos();
                allRaw[r] = check(observe(allDirect, 16), count).nanos();
            }
            int proxyConnections = proxies.stream().mapToInt(LatencyProxy::connections).sum() - proxyConnectionsBefore;
            int roundTrips = proxies.stream().mapToInt(LatencyProxy::roundTrips).sum() - roundTripsBefore;

            System.out.printf("pgrds observe benchmark: %d nodes, each behind a proxy adding %d ms per direction "
                    + "(%d ms round trip) in front of its real sshd; best / median of %d rounds after a warm-up%n",
                    count, oneWayMs, 2 * oneWayMs, rounds);
            System.out.printf("  node1 runs a PostgreSQL primary (SSH probe + SQL); node2..node%d are EMPTY (SSH probe "
                    + "only, no PostgreSQL data)%n", count);
            System.out.printf("  1 node (the primary):                %7.0f ms / %7.0f ms%n", best(one), median(one));
            System.out.printf("  %2d nodes, --parallel 16 (default):   %7.0f ms / %7.0f ms   ratio %.2f× one node "
                    + "(median %.2f×)%n", count, best(all16), median(all16), best(all16) / best(one),
                    median(all16) / median(one));
            System.out.printf("  %2d nodes, --parallel %-2d:             %7.0f ms / %7.0f ms   ratio %.2f× one node "
                    + "(median %.2f×)%n", count, count, best(allWide), median(allWide), best(allWide) / best(one),
                    median(allWide) / median(one));
            System.out.printf("  target: %d nodes under 2× one node (default parallelism): %s%n", count,
                    median(all16) < 2 * median(one) ? "met" : "NOT met");
            System.out.printf("  baseline without added latency: 1 node %.0f / %.0f ms, %d nodes %.0f / %.0f ms%n",
                    best(oneRaw), median(oneRaw), count, best(allRaw), median(allRaw));
            Counts c = sample.counts();
            // node observations through the proxies since the warm-up: per round 1 + N + N, plus the two single
            // runs that counted round trips per node
            int proxiedObservations = rounds * (1 + 2 * count) + 1 + count;
            System.out.printf("  per run of %d nodes: %d SSH connections (%.1f TCP connections per node through the "
                    + "proxies), %d commands (execs), %d SQL tunnels%n", count, c.connections.get(),
                    (double) proxyConnections / proxiedObservations, c.execs.get(), c.tunnels.get());
            System.out.printf("  per node: %.1f SSH connection, %.1f exec (the probe: one round trip for every shell "
                    + "fact); SQL only on running servers: 1 tunnel, 1 JDBC connection, 4 queries%n",
                    (double) c.connections.get() / count, (double) c.execs.get() / count);
            System.out.printf("  network round trips waited for, counted at the proxy: %d for the primary (SSH "
                    + "handshake, probe, tunnel, SQL), %d for an EMPTY node (SSH handshake and probe); %.1f per node "
                    + "observation over all runs%n", primaryTrips, emptyTrips,
                    (double) roundTrips / proxiedObservations);
        } finally {
            proxies.forEach(LatencyProxy::close);
            hosts.close();
        }
    }

    private static String entry(TestNode n, int sshPort, Path knownHosts) {
        return "{host: " + n.address() + ", name: " + n.name() + ", ssh: {port: " + sshPort + ", knownHostsFile: "
                + knownHosts + "}, postgres: {dataDirectory: " + n.dataDirectory() + ", port: " + n.pgPort() + "}}";
    }

    private static DesiredCluster load(TestHosts hosts, List<String> entries) {
        TestNode any = hosts.node(0);
        StringBuilder y = new StringBuilder();
        y.append("ssh: {user: root, identityFile: ").append(hosts.clientKey()).append(", become: runuser}\n");
        y.append("postgres: {version: 15, binDir: ").append(any.binDir()).append("}\n");
        y.append("nodes:\n");
        entries.forEach(e -> y.append("  - ").append(e).append('\n'));
        Snapshot snapshot = new Snapshot(Optional.empty(), "bench",
                new TreeMap<>(Map.of(FILE, y.toString().getBytes(UTF_8))), List.of());
        return FleetLoader.loadOrThrow(snapshot).cluster(CLUSTER).orElseThrow();
    }

    /** One run as a status command makes it: fresh sessions, observe, close. */
    private static Run observe(DesiredCluster cluster, int parallel) {
        Counts counts = new Counts();
        Sessions.Opener opener = (Transport transport, io.pgrds.transport.target.Target node, ShellOptions options) -> {
            counts.connections.incrementAndGet();
            return new CountingShell(NodeShells.open(transport, node, options), counts);
        };
        long t0 = System.nanoTime();
        ObservedCluster observed;
        try (Sessions sessions = new Sessions(ShellOptions.defaults(), opener)) {
            observed = new Observer(sessions, parallel, DEADLINE).observe(cluster);
        }
        return new Run(System.nanoTime() - t0, observed, counts);
    }

    /** A run that did not observe what the nodes hold measures nothing: stop. */
    private static Run check(Run run, int nodes) {
        List<ObservedNode> n = run.observed().nodes();
        boolean ok = n.size() == nodes;
        for (int i = 0; ok && i < n.size(); i++) {
            ObservedNode node = n.get(i);
            ok = node.name().equals("node1")
                    ? node.state() == NodeState.PRIMARY && node.sql().isPresent()
                    : node.state() == NodeState.EMPTY && node.error().isEmpty();
        }
        if (!ok) {
            throw new IllegalStateException("unexpected observation, not timing it: " + n);
        }
        return run;
    }

    private static double best(long[] nanos) {
        return Arrays.stream(nanos).min().orElseThrow() / 1e6;
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return (sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0) / 1e6;
    }
}
