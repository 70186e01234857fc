package io.pgrds.plan;

import io.pgrds.desired.Durability;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReplicationPeer;
import io.pgrds.observe.SqlFacts;
import java.util.ArrayList;
import java.util.List;

/** What durability and automatic failover mean for a cluster as observed: warnings and dangers, no actions. */
final class HaRules {
    private HaRules() {
    }

    /**
     * Automatic failover with async durability and no fence hook handles only a primary that crashed on a host that
     * still answers: a primary whose host stops answering cannot be seen stopped, and without a quorum a promotion
     * could lose what it had acknowledged. Said in every plan, so that nobody relies on what it does not do.
     */
    static List<String> warnings(Facts f) {
        List<String> out = new ArrayList<>();
        if (f.desired.failover().automatic() && f.desired.durability() instanceof Durability.Async
                && f.fenceHook.isEmpty()) {
            out.add(f.id + ": failover: automatic with async durability and no fence hook: a primary that crashes on "
                    + "a host that still answers is restarted (or, after a crash loop, failed over), but a primary "
                    + "whose host stops answering is never failed over, since pgrds cannot see it stopped. Add "
                    + "durability: {quorum: 1} or a fence hook.");
        }
        return out;
    }

    /**
     * With a quorum of K, a running primary that fewer than K standbys stream from cannot acknowledge a commit:
     * writes wait. A danger, beside two writable primaries.
     */
    static List<String> dangers(Facts f) {
        if (!(f.desired.durability() instanceof Durability.Quorum q)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (ObservedNode p : f.all) {
            if (p.state() != NodeState.PRIMARY || !p.running() || p.sql().isEmpty() || !f.isDesired(p.name())) {
                continue;
            }
            List<String> streaming = p.sql().map(SqlFacts::replication).orElse(List.of()).stream()
                    .filter(r -> "streaming".equals(r.state())).map(ReplicationPeer::applicationName)
                    .filter(f::isDesired).toList();
            if (streaming.size() < q.k()) {
                out.add("DANGER: writes wait: a commit on " + p.name() + " needs " + q.k() + " standby"
                        + (q.k() == 1 ? "" : "s") + " to have it (durability quorum " + q.k() + "), and "
                        + (streaming.isEmpty() ? "none streams" : "only " + String.join(", ", streaming)
                        + (streaming.size() == 1 ? " streams" : " stream")) + " from it");
            }
        }
        return out;
    }

    /** What the headline adds when durability or failover is not the default: "; durability quorum 1, failover …". */
    static String suffix(Facts f) {
        List<String> parts = new ArrayList<>();
        if (f.desired.durability() instanceof Durability.Quorum q) {
            parts.add("durability quorum " + q.k() + " of " + (f.desiredNames.size() - 1) + " standbys");
        }
        if (f.desired.failover().automatic()) {
            parts.add("failover automatic after " + io.pgrds.util.Units.millis(f.desired.failover().failoverAfter()
                    .toMillis()));
        }
        return parts.isEmpty() ? "" : "; " + String.join(", ", parts);
    }
}
