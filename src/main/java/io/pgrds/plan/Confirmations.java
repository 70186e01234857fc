package io.pgrds.plan;

import io.pgrds.observe.ObservedCluster;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What an operator states on the command line that pgrds cannot observe itself, and that the plan relies on.
 * Saved with a plan, so that applying it later plans with the same statements.
 *
 * @param fenced nodes the operator confirms are fenced (powered off or cut off from every client and standby):
 *               {@code pgrds apply --fenced pg1}. A standby is promoted in place of such a node although pgrds
 *               cannot see it stopped — unless a standby heard from it within the last seconds, which proves it is
 *               not fenced.
 */
public record Confirmations(Set<String> fenced) {
    public static final Confirmations NONE = new Confirmations(Set.of());

    public Confirmations {
        fenced = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(fenced));
    }

    /** The names and hosts the observed clusters know: their nodes, the members their markers list, upstreams. */
    public static SortedSet<String> known(Collection<ObservedCluster> observed) {
        SortedSet<String> known = new TreeSet<>();
        for (ObservedCluster c : observed) {
            c.nodes().forEach(n -> {
                known.add(n.name());
                known.add(n.host());
                n.marker().ifPresent(m -> m.members().forEach(mem -> {
                    known.add(mem.name());
                    known.add(mem.host());
                }));
                n.upstream().ifPresent(known::add);
            });
        }
        return known;
    }

    /** The fenced names no observed cluster knows: a typo must not pass silently. */
    public List<String> unknown(Collection<ObservedCluster> observed) {
        SortedSet<String> known = known(observed);
        return fenced.stream().filter(n -> !known.contains(n)).toList();
    }
}
