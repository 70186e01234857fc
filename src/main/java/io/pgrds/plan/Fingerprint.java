package io.pgrds.plan;

import io.pgrds.observe.Marker;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a plan was based on, so that applying a saved plan can refuse when the servers moved since — and say
 * exactly how ({@code pg2: was STANDBY following pg1, now PRIMARY}).
 */
public final class Fingerprint {
    private Fingerprint() {
    }

    /** A stable digest (sha-256, hex) of every node's {@link NodeSummary}. */
    public static String of(ObservedCluster observed) {
        return of(summaries(observed));
    }

    public static String of(SortedMap<String, NodeSummary> summaries) {
        StringBuilder s = new StringBuilder();
        summaries.forEach((name, summary) -> s.append(name).append('=').append(summary.canonical()).append('\n'));
        return ConfigFiles.sha256(s.toString());
    }

    /** Each node's summary, by node name. */
    public static SortedMap<String, NodeSummary> summaries(ObservedCluster observed) {
        Map<String, List<String>> byHost = new HashMap<>();
        observed.nodes().forEach(n -> byHost.computeIfAbsent(n.host(), h -> new ArrayList<>()).add(n.name()));
        SortedMap<String, NodeSummary> out = new TreeMap<>();
        for (ObservedNode n : observed.nodes()) {
            Optional<String> upstream = n.upstream().map(u -> {
                List<String> names = byHost.getOrDefault(u, List.of());
                return names.size() == 1 ? names.get(0) : u;
            });
            out.put(n.name(), new NodeSummary(n.state(), n.running(), n.systemIdentifier(), n.timeline(), upstream,
                    config(n), n.marker().map(Fingerprint::membership).orElse("none")));
        }
        return out;
    }

    /** What changed between two observations of one cluster, one line per node that changed. */
    public static List<String> differences(ObservedCluster before, ObservedCluster now) {
        return differences(summaries(before), summaries(now));
    }

    /** What changed between two sets of node summaries (as a saved plan keeps them), one line per node. */
    public static List<String> differences(SortedMap<String, NodeSummary> before,
                                           SortedMap<String, NodeSummary> now) {
        TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(now.keySet());
        List<String> out = new ArrayList<>();
        for (String name : names) {
            NodeSummary b = before.get(name);
            NodeSummary a = now.get(name);
            if (b == null) {
                out.add(name + ": newly observed (" + a.role() + ")");
                continue;
            }
            if (a == null) {
                out.add(name + ": no longer observed (was " + b.role() + ")");
                continue;
            }
            List<String> what = new ArrayList<>();
            if (!b.role().equals(a.role())) {
                what.add("was " + b.role() + ", now " + a.role());
            }
            if (!b.timeline().equals(a.timeline())) {
                what.add("timeline " + b.timeline().map(String::valueOf).orElse("unknown") + " → "
                        + a.timeline().map(String::valueOf).orElse("unknown"));
            }
            if (!b.systemIdentifier().equals(a.systemIdentifier())) {
                what.add("system identifier " + b.systemIdentifier().orElse("none") + " → "
                        + a.systemIdentifier().orElse("none"));
            }
            if (!b.config().equals(a.config())) {
                what.add("configuration files changed");
            }
            if (!b.membership().equals(a.membership())) {
                what.add("membership marker changed (another apply ran?)");
            }
            if (!what.isEmpty()) {
                out.add(name + ": " + String.join("; ", what));
            }
        }
        return out;
    }

    private static String config(ObservedNode n) {
        StringBuilder s = new StringBuilder();
        n.configFiles().forEach((k, v) -> s.append("file ").append(k).append('=').append(v).append('\n'));
        n.configParameters().forEach((k, v) -> s.append("param ").append(k).append('=').append(v).append('\n'));
        return ConfigFiles.sha256(s.toString()).substring(0, 16);
    }

    private static String membership(Marker m) {
        StringBuilder s = new StringBuilder();
        s.append(m.cluster()).append('|').append(m.systemIdentifier().orElse("-")).append('|').append(m.deactivated())
                .append('|').append(m.primary().orElse("-")).append('|').append(m.appliedCommit().orElse("-"));
        for (Marker.Member mem : m.members()) {
            s.append('\n').append(mem);
        }
        return ConfigFiles.sha256(s.toString()).substring(0, 16);
    }
}
