package io.pgrds.plan;

import io.pgrds.observe.ObservedCluster;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What pgrds is told that it cannot observe in one look, and that the plan relies on: an operator's statements on
 * the command line (saved with a plan, so that applying it later plans with the same), and what the daemon that
 * watches a cluster has seen over time.
 *
 * @param fenced      nodes the operator confirms are fenced (powered off or cut off from every client and standby):
 *                    {@code pgrds apply --fenced pg1}. A standby is promoted in place of such a node although pgrds
 *                    cannot see it stopped — unless a standby heard from it within the last seconds, which proves it
 *                    is not fenced.
 * @param lost        the primary the watching daemon lost: it answered no health check for the cluster's
 *                    {@code failoverAfter}. The planner then plans a failover although that node is still in the
 *                    file — when it can be done safely (it is seen stopped, fenced by the hook, or fenced by a quorum
 *                    of detached standbys), and never while a standby heard from it within that time.
 * @param keepStopped primaries the daemon keeps stopped after a crash loop: failed over from, not started again.
 *                    Neither of the last two is ever saved with a plan.
 */
public record Confirmations(Set<String> fenced, Optional<Lost> lost, Set<String> keepStopped, boolean daemon) {
    public static final Confirmations NONE = new Confirmations(Set.of());
    /**
     * The daemon plans: after a failover away from the pinned node the pin is a preference, so the failover's primary
     * is kept (a warning says so) instead of a switchover back; a person's plan shows that switchover.
     */
    public static final Confirmations DAEMON = new Confirmations(Set.of(), Optional.empty(), Set.of(), true);

    /**
     * The primary a watching daemon lost, and the time over which it failed.
     *
     * @param node             the primary
     * @param failedForMillis  how long it answered no health check
     * @param recentMillis     a standby that heard from it within this proves it alive: less than
     *                         {@code failedForMillis}, more than the longest a healthy link stays silent
     */
    public record Lost(String node, long failedForMillis, long recentMillis) {
    }

    public Confirmations {
        fenced = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(fenced));
        keepStopped = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(keepStopped));
    }

    /** An operator's {@code --fenced} nodes. */
    public Confirmations(Set<String> fenced) {
        this(fenced, Optional.empty(), Set.of(), false);
    }

    /** What a person or the watch confirmed; not the daemon's plan. */
    public Confirmations(Set<String> fenced, Optional<Lost> lost, Set<String> keepStopped) {
        this(fenced, lost, keepStopped, false);
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
