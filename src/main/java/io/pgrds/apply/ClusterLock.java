package io.pgrds.apply;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.util.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One apply per cluster at a time, with the lock held on the cluster's own nodes (no lock server, no local
 * file another operator cannot see): an atomic {@code mkdir <dataDirectory>.pgrds/apply.lock} on every node,
 * taken in name order, with a holder file naming who, where and since when. The holder refreshes it while it
 * works; a lock not refreshed for {@link #STALE} was left by a crashed apply and is taken over.
 */
final class ClusterLock implements AutoCloseable {
    static final Duration STALE = Duration.ofSeconds(60);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final List<NodeOps> held = new ArrayList<>();
    private final String id = UUID.randomUUID().toString();
    private final String holder;
    private final ScheduledExecutorService heartbeat;

    private ClusterLock(String holder) {
        this.holder = holder;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgrds-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Takes the lock on every node (sorted by name), waiting up to {@code timeout} for another apply to finish.
     *
     * @param who e.g. {"user":"alice","host":"laptop","pid":123,"since":"…","commit":"…"}
     */
    static ClusterLock acquire(List<NodeOps> nodes, String who, Duration timeout, ApplyListener listener,
                               io.pgrds.desired.ClusterId cluster, String localHost) {
        ClusterLock lock = new ClusterLock(who);
        try {
            List<NodeOps> sorted = nodes.stream().sorted(java.util.Comparator.comparing(n -> n.node().name())).toList();
            Instant until = Instant.now().plus(timeout);
            boolean waited = false;
            for (NodeOps n : sorted) {
                while (true) {
                    String body = lock.holderJson();
                    var r = n.check(List.of("sh", "-c", "umask 077; mkdir -p \"$(dirname \"$1\")\" && "
                            + "if mkdir \"$1\" 2>/dev/null; then printf '%s' \"$2\" > \"$1/holder.json\"; echo ACQUIRED;"
                            + " else cat \"$1/holder.json\" 2>/dev/null; echo; stat -c %Y \"$1/holder.json\" 2>/dev/null "
                            + "|| echo 0; date +%s; fi", "sh", n.paths().lock(), body));
                    if (!r.ok()) {
                        throw new ApplyException(n.node().name() + ": cannot take the apply lock: "
                                + NodeOps.tail(r.stderr()));
                    }
                    List<String> lines = r.stdout().lines().toList();
                    if (!lines.isEmpty() && lines.get(0).equals("ACQUIRED")) {
                        lock.held.add(n);
                        break;
                    }
                    String other = lines.isEmpty() ? "" : lines.get(0);
                    long mtime = lines.size() > 1 ? parse(lines.get(lines.size() - 2)) : 0;
                    long now = lines.size() > 1 ? parse(lines.get(lines.size() - 1)) : 0;
                    boolean crashedHere = holderGoneOnThisMachine(other, localHost);
                    if (crashedHere || now - mtime > STALE.toSeconds()) {
                        listener.progress(cluster, n.node().name(), "taking over a stale apply lock ("
                                + describe(other) + (crashedHere ? ": that process no longer runs on this machine)"
                                : ", not refreshed for " + (now - mtime) + " s)"));
                        n.check(List.of("sh", "-c", "[ \"$(cat \"$1/holder.json\" 2>/dev/null)\" = \"$2\" ] && "
                                + "rm -rf \"$1\"; exit 0", "sh", n.paths().lock(), other));
                        continue;
                    }
                    if (Instant.now().isAfter(until)) {
                        throw new ApplyException("another apply holds the lock of " + cluster + " on " + n.node().name()
                                + ": " + describe(other) + ". Wait for it to finish, or raise --lock-timeout.");
                    }
                    if (!waited) {
                        listener.progress(cluster, n.node().name(), "waiting for another apply: " + describe(other));
                        waited = true;
                    }
                    sleep(1000);
                }
            }
            lock.heartbeat.scheduleAtFixedRate(lock::refresh, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
                    TimeUnit.MILLISECONDS);
            return lock;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** The holder as given, plus this lock's own id (which releases it), as JSON. */
    private String holderJson() {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode)
                    Json.mapper().readTree(holder);
            o.put("id", id);
            return Json.mapper().writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the lock's holder is not JSON: " + holder, e);
        }
    }

    private void refresh() {
        for (NodeOps n : held) {
            try {
                n.check(List.of("touch", n.paths().lock() + "/holder.json"));
            } catch (RuntimeException e) {
                // the next refresh tries again; a lost node is reported by the action that needs it
            }
        }
    }

    /** "alice on laptop (pid 4242) since 2026-11-27T10:02:03Z, commit 3f2a1c9". */
    static String describe(String holderJson) {
        try {
            JsonNode h = Json.mapper().readTree(holderJson);
            return h.path("user").asText("?") + " on " + h.path("host").asText("?") + " (pid "
                    + h.path("pid").asText("?") + ") since " + h.path("since").asText("?")
                    + (h.hasNonNull("commit") ? ", commit " + h.path("commit").asText().substring(0,
                    Math.min(7, h.path("commit").asText().length())) : "");
        } catch (Exception e) {
            return "an unknown holder";
        }
    }

    /** A holder on this very machine whose process is gone crashed: no need to wait for its lock to age. */
    static boolean holderGoneOnThisMachine(String holderJson, String localHost) {
        try {
            JsonNode h = Json.mapper().readTree(holderJson);
            if (!h.path("host").asText("").equals(localHost) || !h.path("pid").canConvertToLong()) {
                return false;
            }
            long pid = h.path("pid").asLong();
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (Exception e) {
            return false;
        }
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyException("interrupted while waiting for the apply lock");
        }
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        for (NodeOps n : held) {
            try {
                n.check(List.of("sh", "-c", "grep -q \"$2\" \"$1/holder.json\" 2>/dev/null && rm -rf \"$1\"; exit 0",
                        "sh", n.paths().lock(), id));
            } catch (RuntimeException e) {
                // an unreachable node keeps the lock until it is stale
            }
        }
        held.clear();
    }
}
