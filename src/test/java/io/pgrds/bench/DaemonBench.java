package io.pgrds.bench;

import io.pgrds.transport.target.Transport;
import io.pgrds.daemon.ClusterStatus;
import io.pgrds.daemon.Daemon;
import io.pgrds.daemon.Webhook;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.Observer;
import io.pgrds.plan.Planner;
import io.pgrds.source.GitSource;
import io.pgrds.testing.FleetRepo;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.ShellOptions;
import io.pgrds.util.Json;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon over a fleet of N clusters (default 100) of two nodes each, on a simulated transport: every node
 * answers the probe with the canned facts of a healthy primary or streaming standby after 5–20 ms (an SSH round
 * trip on a LAN), and its tunnel points at a closed local port, so SQL facts are "not possible" at once. The
 * policy is {@code observe}, so nothing is applied. Measures, after a warm-up cycle, one full cycle (a signed
 * push on the webhook until every cluster has a run that started after it) in wall time, and the JVM's resident
 * set (VmRSS) after it; as the raw baseline, the same N reads + observations + plans done one after the other in
 * this process without Quartz. Targets: cycle under 10 s, RSS under 256 MB.
 *
 * <p>Only the node transport is simulated: the fleet repository is a real git repository, read by the daemon
 * per run as in production. Run with {@code bench/daemon.sh [clusters] [threads]}.
 */
public final class DaemonBench {
    private static final byte[] SECRET = "bench-secret".getBytes(StandardCharsets.UTF_8);
    private static final String SYSID = "7300000000000000001";

    private DaemonBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--daemon")) {
            daemon(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        int clusters = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path tmp = Files.createTempDirectory("pgrds-daemon-bench");
        quiet();
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        List<ClusterId> ids = ids(clusters);
        for (ClusterId id : ids) {
            Path file = fleet.dir().resolve("clusters").resolve(id + ".yaml");
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml(id));
        }
        fleet.commit(ids.get(0).toString(), yaml(ids.get(0))); // one commit adds every file
        Simulated sim = new Simulated();

        // the raw baseline: the same work, one cluster after the other, no scheduler, no HTTP, no status
        long rawBest = Long.MAX_VALUE;
        int rawActions = 0;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            rawActions = 0;
            for (ClusterId id : ids) {
                DesiredFleet f = FleetLoader.loadOrThrow(GitSource.read(fleet.dir().toString(), null,
                        tmp.resolve("raw-cache")));
                DesiredCluster d = f.cluster(id).orElseThrow();
                try (Sessions s = new Sessions(ShellOptions.defaults(), sim)) {
                    ObservedCluster o = new Observer(s, 16, Duration.ofSeconds(30)).observe(d);
                    rawActions += Planner.plan(d, o).actions().size();
                }
            }
            rawBest = Math.min(rawBest, System.nanoTime() - t0);
        }
        System.out.printf("pgrds daemon benchmark: %d clusters × 2 nodes, simulated SSH (5–20 ms per command, "
                + "SQL refused at once), policy observe, %d Quartz threads, observe parallelism 16%n", clusters, threads);
        System.out.printf("  raw baseline (read + observe + plan, one cluster after the other, no Quartz, in this "
                + "JVM): %.0f ms (%d actions planned in all, best of 3)%n", rawBest / 1e6, rawActions);

        // the daemon in a JVM of its own, so that its resident set is its own: once with the JVM's defaults,
        // once as a long-running service would be started (serial GC, bounded heap)
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (List<String> flags : List.of(List.<String>of(), List.of("-XX:+UseSerialGC", "-Xmx128m"))) {
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(flags);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DaemonBench.class.getName(), "--daemon",
                    fleet.dir().toString(), Integer.toString(clusters), Integer.toString(threads)));
            System.out.printf("  daemon JVM %s:%n", flags.isEmpty() ? "with default flags" : String.join(" ", flags));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("the daemon JVM failed:\n" + out);
            }
            for (String line : out.strip().split("\n")) {
                if (line.startsWith("cycle ")) {
                    String[] f = line.split(" ");
                    long best = Long.parseLong(f[2]);
                    long worst = Long.parseLong(f[3]);
                    System.out.printf("    full cycle (push → every cluster run), best / worst of 3: %.0f / %.0f ms "
                            + "(%.2f× baseline); first cycle %.0f ms; target under 10000 ms: %s%n", best / 1e6,
                            worst / 1e6, (double) best / rawBest, Long.parseLong(f[1]) / 1e6,
                            worst < 10_000_000_000L ? "met" : "MISSED");
                } else if (line.startsWith("rss ")) {
                    String[] f = line.split(" ");
                    long rss = Long.parseLong(f[1]);
                    System.out.printf("    RSS (VmRSS of the daemon JVM after the cycles): %d MB (heap used %s MB, "
                            + "committed %s MB); target under 256 MB: %s%n", rss / 1024, f[2], f[3],
                            rss < 256 * 1024 ? "met" : "MISSED");
                } else {
                    System.out.println("    " + line);
                }
            }
        }
    }

    static void quiet() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
    }

    static List<ClusterId> ids(int clusters) {
        List<ClusterId> ids = new ArrayList<>();
        for (int i = 0; i < clusters; i++) {
            ids.add(new ClusterId("team" + (i / 4), "stage" + (i % 4)));
        }
        return ids;
    }

    /** The child JVM: the daemon over the fleet; prints "cycle first best worst" (ns) and "rss kB heapMB committedMB". */
    private static void daemon(Path repo, int clusters, int threads) throws Exception {
        quiet();
        Path tmp = Files.createTempDirectory("pgrds-daemon-bench-cache");
        Simulated sim = new Simulated();
        Daemon daemon = new Daemon(new Daemon.Config(repo.toString(), null, Duration.ofHours(1),
                new InetSocketAddress("127.0.0.1", 0), Optional.of(SECRET), Optional.empty(), tmp,
                ShellOptions.defaults(), 16, Duration.ofSeconds(30), Duration.ofSeconds(30), threads,
                "pgrds-bench", "bench"), sim).start();
        HttpClient http = HttpClient.newHttpClient();
        URI hook = URI.create("http://127.0.0.1:" + daemon.httpAddress().orElseThrow().getPort() + "/hooks/git");
        try {
            long warm = cycle(daemon, http, hook, clusters); // also lets the first (jittered) runs happen
            long execsBefore = sim.execs.get();
            long best = Long.MAX_VALUE;
            long worst = 0;
            for (int round = 0; round < 3; round++) {
                long t = cycle(daemon, http, hook, clusters);
                best = Math.min(best, t);
                worst = Math.max(worst, t);
            }
            long execs = (sim.execs.get() - execsBefore) / 3;
            Map<String, Integer> results = new LinkedHashMap<>();
            daemon.statuses().forEach(s -> results.merge(s.lastResult(), 1, Integer::sum));
            System.out.printf("last results: %s, %d commands per cycle; e.g. %s%n", results, execs,
                    daemon.statuses().get(0).sentence());
            System.out.printf("cycle %d %d %d%n", warm, best, worst);
            Runtime rt = Runtime.getRuntime();
            System.out.printf("rss %d %d %d%n", rssKb(), (rt.totalMemory() - rt.freeMemory()) >> 20,
                    rt.totalMemory() >> 20);
        } finally {
            daemon.close();
        }
    }

    /** Sends a signed push and waits until every cluster has a run that started after it; returns nanoseconds. */
    private static long cycle(Daemon daemon, HttpClient http, URI hook, int clusters) throws Exception {
        Instant sent = Instant.now();
        long t0 = System.nanoTime();
        byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(hook)
                .header(Webhook.GITHUB_HEADER, Webhook.githubSignature(SECRET, body))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("the webhook answered " + r.statusCode() + ": " + r.body());
        }
        long deadline = t0 + Duration.ofSeconds(120).toNanos();
        while (true) {
            List<ClusterStatus> all = daemon.statuses();
            long done = all.stream().filter(s -> s.lastRunAt().map(at -> !at.isBefore(sent)).orElse(false)).count();
            if (all.size() == clusters && done == clusters) {
                return System.nanoTime() - t0;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + done + " of " + clusters + " clusters ran within 120 s");
            }
            Thread.sleep(5);
        }
    }

    static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static String yaml(ClusterId id) {
        return yaml(id, "reconcile: {policy: observe}\n");
    }

    /** A cluster file of two simulated nodes, pg1 pinned, with {@code reconcile} (or other) lines at the end. */
    static String yaml(ClusterId id, String last) {
        String dir = "/var/lib/pgrds/" + id.slug() + "/data";
        return "ssh: {user: root, port: 22}\n"
                + "postgres: {version: 16}\n"
                + "nodes:\n"
                + "  - {host: " + id.slug() + "-n1.sim, name: pg1, postgres: {dataDirectory: " + dir
                + ", port: 5432}}\n"
                + "  - {host: " + id.slug() + "-n2.sim, name: pg2, postgres: {dataDirectory: " + dir
                + ", port: 5432}}\n"
                + "primary: pg1\n"
                + last;
    }

    /**
     * Node shells that answer the probe with canned JSON after 5–20 ms: pg1 a running primary, pg2 a running
     * standby of it, both carrying the cluster's marker. Any other command "succeeds" with no output (none is
     * expected: the policy is observe). The tunnel points at port 1 of the loopback, where nothing listens.
     */
    static final class Simulated implements Sessions.Opener {
        final AtomicLong execs = new AtomicLong();
        private final NodeShell.Endpoint tunnel;

        /** Tunnels to port 1 of the loopback, where nothing listens: SQL is refused at once. */
        Simulated() {
            this(new NodeShell.Endpoint("127.0.0.1", 1));
        }

        /** Tunnels to {@code tunnel}: a real server answers the SQL (the watch benchmark's health checks). */
        Simulated(NodeShell.Endpoint tunnel) {
            this.tunnel = tunnel;
        }

        @Override
        public NodeShell open(io.pgrds.transport.target.Transport transport, io.pgrds.transport.target.Target target,
                              ShellOptions options) {
            NodeSpec node = (NodeSpec) target; // the daemon opens the nodes of its cluster files
            String slug = node.host().substring(0, node.host().lastIndexOf("-n"));
            int dash = slug.indexOf('-');
            ClusterId cluster = new ClusterId(slug.substring(0, dash), slug.substring(dash + 1));
            String facts = facts(cluster, node);
            return new NodeShell() {
                @Override
                public ExecResult exec(Exec exec) {
                    execs.incrementAndGet();
                    try {
                        Thread.sleep(ThreadLocalRandom.current().nextLong(5, 21));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return exec.argv().size() >= 2 && exec.argv().get(0).equals("sh") && exec.argv().get(1)
                            .equals("-s") ? new ExecResult(0, facts, "") : new ExecResult(0, "", "");
                }

                @Override
                public void writeFile(String path, byte[] content, String owner, int mode) {
                    throw new UnsupportedOperationException("the benchmark's nodes are read-only");
                }

                @Override
                public Endpoint tunnel(String host, int port) {
                    return tunnel;
                }

                @Override
                public String describe() {
                    return "sim:" + node.host();
                }

                @Override
                public void close() {
                }
            };
        }

        private static String facts(ClusterId cluster, NodeSpec node) {
            boolean primary = node.name().equals("pg1");
            Map<String, Object> member1 = member("pg1", cluster.slug() + "-n1.sim", node);
            Map<String, Object> member2 = member("pg2", cluster.slug() + "-n2.sim", node);
            Map<String, Object> marker = new LinkedHashMap<>();
            marker.put("cluster", cluster.toString());
            marker.put("systemIdentifier", SYSID);
            marker.put("deactivated", false);
            marker.put("members", List.of(member1, member2));
            marker.put("primary", "pg1");
            marker.put("appliedCommit", "1111111");
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("binaries", true);
            f.put("dataExists", true);
            f.put("dataReadable", true);
            f.put("dataEmpty", false);
            f.put("pgVersion", "16");
            f.put("standbySignal", !primary);
            f.put("recoverySignal", false);
            f.put("running", true);
            f.put("controldata", "pg_control version number:            1300\n"
                    + "Database system identifier:           " + SYSID + "\n"
                    + "Database cluster state:               " + (primary ? "in production" : "in archive recovery")
                    + "\nLatest checkpoint's TimeLineID:       1\n");
            f.put("pgrdsConf", "# managed by pgrds\nlisten_addresses = '*'\n");
            if (!primary) {
                f.put("standbyConf", "primary_conninfo = 'host=" + cluster.slug() + "-n1.sim port=5432 user=pgrds "
                        + "application_name=pg2'\n");
            }
            f.put("creating", false);
            f.put("marker", json(marker));
            f.put("memoryKb", 8L * 1024 * 1024);
            f.put("freeDiskKb", 100L * 1024 * 1024);
            f.put("rebootRequired", false);
            return json(f);
        }

        private static Map<String, Object> member(String name, String host, NodeSpec like) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("host", host);
            m.put("sshPort", like.ssh().port());
            m.put("sshUser", like.ssh().user());
            m.put("dataDirectory", like.dataDirectory());
            m.put("port", like.port());
            m.put("binDir", like.binDir());
            return m;
        }

        private static String json(Object o) {
            try {
                return Json.mapper().writeValueAsString(o);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
