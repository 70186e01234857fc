package io.pgrds.apply;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
import io.pgrds.plan.Action;
import io.pgrds.transport.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import io.pgrds.observe.Marker;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.Observer;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.transport.Sessions;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.pgrds.util.Json;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The only mutable state of one apply: the nodes and their shells, the cluster's secrets, who is primary as the
 * actions go, what was fenced, created or deactivated; and what every step needs (markers, audit, secrets).
 */
final class ApplyContext {
    final DesiredCluster desired;
    final ObservedCluster observed;
    final Optional<String> commit;
    final Sessions sessions;
    final ApplyListener listener;
    final Executor.Options options;
    /** Other clusters of the fleet, by id: a restore reads its source's repository and secrets. */
    final Function<ClusterId, Optional<DesiredCluster>> fleet;
    final Map<String, NodeSpec> specs = new LinkedHashMap<>();
    private final Map<String, NodeOps> ops = new LinkedHashMap<>();
    final Set<String> deactivated = new TreeSet<>();
    /** Nodes fenced by this apply (stopped, or by the fence hook). */
    final Set<String> fenced = new TreeSet<>();
    Optional<String> primary;
    /** Whether this apply created a data directory (initdb, restore) that the observation did not see. */
    boolean created;
    /** Whether this apply promoted a standby in place of a lost primary (a failover, not a switchover). */
    boolean promoted;
    /** The last failover as the markers keep it; see {@link Marker.Failover}. */
    Optional<Marker.Failover> failover;
    Secrets secrets;
    /** The restore source's passwords, being read since the apply began; null until asked for. */
    CompletableFuture<Optional<Secrets>> sourceSecrets;
    /** The system identifier of the data this apply created, when it was read on the way (a restore). */
    Optional<String> createdSystemIdentifier = Optional.empty();

    ApplyContext(DesiredCluster desired, ObservedCluster observed, Optional<String> commit, Sessions sessions,
                 ApplyListener listener, Executor.Options options, Function<ClusterId, Optional<DesiredCluster>> fleet) {
        this.desired = desired;
        this.observed = observed;
        this.commit = commit;
        this.sessions = sessions;
        this.listener = listener;
        this.options = options;
        this.fleet = fleet;
        desired.nodes().forEach(n -> specs.put(n.name(), n));
        Observer.formerMembers(desired, observed.nodes()).forEach(n -> specs.putIfAbsent(n.name(), n));
        primary = currentPrimary(observed);
        failover = observed.lastFailover();
        observed.nodes().stream().filter(n -> n.state() == NodeState.DEACTIVATED).forEach(n -> deactivated
                .add(n.name()));
    }

    ClusterId id() {
        return desired.id();
    }

    boolean dryRun() {
        return options.dryRun();
    }

    void awaitPrefetch() {
        if (sourceSecrets != null) {
            try {
                sourceSecrets.join();
            } catch (RuntimeException e) {
                // what it read is no longer needed
            }
        }
    }

    /** Starts reading a restore source's passwords from its nodes in the background. */
    void prefetchSourceSecrets(ClusterId from) {
        if (sourceSecrets == null) {
            fleet.apply(from).ifPresent(source -> sourceSecrets = CompletableFuture.supplyAsync(() ->
                    sourceSecrets(source)));
        }
    }

    /**
     * The primary as the run begins: the node running with primary data; of several (a stale old primary beside
     * the current one), the one the markers name, else the one on the highest timeline — the one the planner
     * keeps, so that the markers written before the first action never name the stale one.
     */
    Optional<String> currentPrimary(ObservedCluster o) {
        List<ObservedNode> running = o.nodes().stream().filter(n -> n.state() == NodeState.PRIMARY
                && n.running()).toList();
        if (running.size() <= 1) {
            return running.stream().map(ObservedNode::name).findFirst();
        }
        // two running as primary: the one promoted last (the higher timeline) is the primary, the other is stale and
        // this apply stops it; a stale one's own marker still names itself, so markers count only on that timeline
        int top = running.stream().mapToInt(n -> n.timeline().orElse(Integer.MIN_VALUE)).max().orElseThrow();
        List<ObservedNode> newest = running.stream().filter(n -> n.timeline().orElse(Integer.MIN_VALUE) == top)
                .toList();
        if (newest.size() == 1) {
            return Optional.of(newest.get(0).name());
        }
        return o.nodes().stream().filter(n -> n.timeline().orElse(Integer.MIN_VALUE) == top)
                .flatMap(n -> n.marker().stream()).filter(m -> m.cluster().equals(desired.id()))
                .flatMap(m -> m.primary().stream()).filter(p -> newest.stream().anyMatch(n -> n.name().equals(p)))
                .findFirst();
    }

    /**
     * Read-only checks of what the plan's actions will need on the nodes that the observation cannot see,
     * before anything is changed: an s3 repository's credentials and CA files. A failure here leaves the
     * cluster exactly as it was.
     */
    void preflight(ClusterPlan plan) {
        for (Action action : plan.actions()) {
            try {
                if (action instanceof Action.ConfigureBackup b) {
                    io.pgrds.desired.Repository repository = desired.backup().orElseThrow().repository();
                    for (String node : b.nodes()) {
                        Backups.checkCredentials(ops(node), repository);
                    }
                } else if (action instanceof Action.RestorePrimary r) {
                    Optional<io.pgrds.desired.BackupSpec> source = fleet.apply(r.from())
                            .flatMap(DesiredCluster::backup);
                    if (source.isPresent()) {
                        Backups.checkCredentials(ops(r.node()), source.get().repository());
                    }
                }
            } catch (ApplyException e) {
                throw new ApplyException(desired.id() + ": " + e.getMessage() + "\nNothing was applied.");
            } catch (TransportException e) {
                // unreachable now: the action that needs the node fails and says so
            }
        }
    }

    NodeOps ops(String name) {
        return ops.computeIfAbsent(name, n -> {
            NodeSpec spec = specs.get(n);
            if (spec == null) {
                throw new ApplyException("node " + n + " is neither in " + desired.file() + " nor a former member");
            }
            // how the node is started and stopped (systemd's unit, or pg_ctl) is what this apply observed
            return new NodeOps(sessions.shell(desired.transport(), spec), spec, desired.id(), listener,
                    options.dryRun(), observed.nodes().stream().filter(o -> o.name().equals(n)).findFirst()
                    .flatMap(o -> io.pgrds.plan.BootRules.unit(desired.postgres(), o)));
        });
    }

    List<NodeOps> reachable() {
        List<NodeOps> out = new ArrayList<>();
        for (ObservedNode n : observed.nodes()) {
            if (n.state() != NodeState.UNREACHABLE && specs.containsKey(n.name())) {
                try {
                    out.add(ops(n.name()));
                } catch (TransportException e) {
                    // it became unreachable since the observation; the action that needs it will say so
                }
            }
        }
        return out;
    }

    Optional<Secrets> sourceSecrets(DesiredCluster source) {
        for (NodeSpec s : source.nodes()) {
            try {
                NodeOps o = new NodeOps(sessions.shell(source.transport(), s), s, source.id(), listener,
                        options.dryRun());
                Optional<Secrets> found = Secrets.read(o);
                if (found.isPresent()) {
                    return found;
                }
            } catch (RuntimeException e) {
                // unreachable or unreadable: try the next node, else new passwords
            }
        }
        return Optional.empty();
    }

    /** The cluster's secrets: from memory, else from a node that has them (the primary first). */
    Secrets secrets(NodeOps preferred) {
        if (secrets != null) {
            return secrets;
        }
        Optional<Secrets> s = Secrets.read(preferred);
        if (s.isEmpty()) {
            for (NodeOps other : reachable()) {
                s = Secrets.read(other);
                if (s.isPresent()) {
                    break;
                }
            }
        }
        secrets = s.orElseThrow(() -> new ApplyException("no node of " + desired.id() + " holds the cluster's "
                + "credentials (" + preferred.paths().secrets() + "); was it created outside pgrds? Create the "
                + "roles admin, pgrds and replicator by hand, or restore the secrets directory"));
        return secrets;
    }

    /** Secrets for a cluster that was created outside pgrds (adopted): generated and kept on every node. */
    Secrets secretsOrCreate(NodeOps n) {
        try {
            return secrets(n);
        } catch (ApplyException e) {
            secrets = Secrets.generate();
            for (NodeOps o : reachable()) {
                secrets.write(o);
            }
            return secrets;
        }
    }

    void writeMarkers(boolean done) {
        for (NodeOps n : reachable()) {
            try {
                writeMarker(n, deactivated.contains(n.node().name()));
            } catch (RuntimeException e) {
                if (done) {
                    listener.progress(desired.id(), n.node().name(), "could not update its marker: "
                            + e.getMessage());
                }
            }
        }
    }

    void writeMarker(NodeOps n, boolean isDeactivated) {
        List<Marker.Member> members = new ArrayList<>();
        for (NodeSpec s : specs.values()) {
            boolean former = desired.node(s.name()).isEmpty();
            if (!former || !deactivated.contains(s.name())) {
                members.add(new Marker.Member(s.name(), s.host(), s.ssh().port(), s.ssh().user(),
                        s.dataDirectory(), s.port(), s.binDir()));
            }
        }
        Optional<String> sysid = observed.nodes().stream().filter(o -> o.state().holdsClusterData())
                .flatMap(o -> o.systemIdentifier().stream()).findFirst();
        if (sysid.isEmpty() && created && !options.dryRun()) {
            // nodes that were empty when observed have no control file to read until this run creates one
            sysid = createdSystemIdentifier.isPresent() ? createdSystemIdentifier : systemIdentifier(n);
        }
        // kept while the failover's primary is the primary and the file pins the node it replaced
        Optional<Marker.Failover> lastFailover = failover.filter(f -> primary.equals(Optional.of(f.to()))
                && desired.primary().equals(Optional.of(f.from())));
        Marker m = new Marker(desired.id(), sysid, isDeactivated, members, primary, commit, lastFailover);
        try {
            n.write(n.paths().marker(), Json.mapper().writeValueAsString(m) + "\n", 0600);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    Optional<String> systemIdentifier(NodeOps n) {
        var r = n.check(List.of(n.bin("pg_controldata"), "-D", n.node().dataDirectory()));
        return r.stdout().lines().filter(l -> l.startsWith("Database system identifier:"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst();
    }

    void appendAudit(Audit audit) {
        String line = audit.toJsonLine() + "\n";
        for (NodeOps n : reachable()) {
            try {
                n.shell().exec(new io.pgrds.transport.NodeShell.Exec(List.of("sh", "-c", "umask 077; mkdir -p "
                        + "\"$(dirname \"$1\")\" && cat >> \"$1\"", "sh", n.paths().audit()), true,
                        line.getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ofSeconds(30)));
            } catch (RuntimeException e) {
                // the local copy and the other nodes still have it
            }
        }
        LocalAudit.append(line);
    }

    void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyException("interrupted");
        }
    }

    void deactivatedOrStopped(String name) {
        if (primary.equals(Optional.of(name))) {
            primary = Optional.empty();
        }
    }
}
