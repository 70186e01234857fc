package io.pgrds.plan;

import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.SqlFacts;
import io.pgrds.plan.Draft.Group;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * No node holds primary data: a standby is promoted, only when the former primary cannot accept writes any more, and
 * never while a standby still hears from a node pgrds cannot see stopped (docs/safety.md). Pure.
 */
final class FailoverRules {
    /** A WAL receiver that heard from its sender this recently proves that sender alive. */
    static final long RECEIVED_RECENTLY_MILLIS = 10_000;

    private FailoverRules() {
    }

    /**
     * No node holds primary data: promote the most advanced standby (or the pinned one, when it is that) — only when
     * the former primary cannot accept writes any more: seen stopped or empty, fenced by the hook, or confirmed fenced
     * by the operator; and never while a standby still receives WAL from a node pgrds cannot see stopped.
     */
    static PrimaryDecision failover(Facts f, Draft x) {
        List<ObservedNode> candidates = PrimaryRules.desiredIn(f, NodeState.STANDBY);
        if (candidates.isEmpty()) {
            return PrimaryDecision.refused(Checks.noCandidate(f));
        }
        List<String> later = new ArrayList<>(); // after the fence warning, which must come first
        ObservedNode q = candidates.get(0);
        if (f.pin.isPresent() && f.get(f.pin.get()).state() == NodeState.STANDBY) {
            Optional<Refusal> behind = PrimaryRules.pinnedBehind(f, f.get(f.pin.get()), candidates);
            if (behind.isPresent()) {
                return PrimaryDecision.refused(behind.get());
            }
            q = f.get(f.pin.get());
        } else if (f.pin.isPresent()) {
            later.add(f.pin.get() + " is pinned as primary but holds no data yet: " + q.name() + " is promoted now and "
                    + f.pin.get() + " becomes its standby; the next apply switches over to " + f.pin.get()
                    + " once it streams");
        } else if (candidates.size() > 1 && candidates.stream().anyMatch(c -> c.position().isEmpty())) {
            later.add("The WAL position of " + candidates.stream().filter(c -> c.position().isEmpty())
                    .map(ObservedNode::name).collect(Collectors.joining(", ")) + " is unknown (not running): "
                    + q.name() + " was chosen by timeline and name");
        }
        Former former = former(f, q);
        // a daemon that lost the primary asks the standbys first: one that still hears from it proves pgrds alone
        // lost it, whatever else would allow a failover (and before any standby is detached for a quorum)
        Optional<Refusal> receiving = stillReceiving(f, former.name(), former.fencing());
        if (receiving.isPresent() && f.confirmations.lost().isPresent()) {
            return PrimaryDecision.refused(receiving.get());
        }
        if (former.refusal().isPresent()) {
            return PrimaryDecision.refused(former.refusal().get());
        }
        if (receiving.isPresent()) {
            return PrimaryDecision.refused(receiving.get());
        }
        former.warning().ifPresent(w -> later.add(0, w));
        former.name().filter(n -> former.fencing() != Action.Promote.Fencing.SEEN_STOPPED).ifPresent(x.settled::add);
        x.settled.add(q.name());
        x.warnings.addAll(later);
        if (former.fencing() == Action.Promote.Fencing.HOOK) {
            x.addTold(Group.FENCE_FORMER_PRIMARY, new Action.Fence(former.name().get(), Action.Fence.Method.HOOK,
                    f.fenceHook, "the former primary " + former.name().get() + " is " + former.state() + ": before "
                    + q.name() + " is promoted, the fence hook " + f.fenceHook.get() + " makes sure it cannot accept "
                    + "writes; it must exit 0", Optional.of("the hook powers " + former.name().get() + " off or cuts it "
                    + "off, as it is written to do; the promotion does not start unless it succeeds")));
        }
        String chosen = f.pin.filter(q.name()::equals).isPresent() ? q.name() + " is pinned"
                : q.name() + " is the most advanced standby (" + Facts.where(q) + ")";
        x.addTold(Group.HANDOVER, new Action.Promote(q.name(), former.name(), former.fencing(), former.because() + "; "
                + chosen, Optional.of(former.risk(q.name()))));
        return new PrimaryDecision.Promote(q.name(), "promote " + q.name() + " (" + former.why() + ")");
    }

    /**
     * The former primary, as far as a promotion of {@code q} is concerned: who it was (the markers, else the
     * standbys' upstream), what state it is in, how it is known not to accept writes, and what the plan says of it.
     */
    private record Former(Optional<String> name, String state, Action.Promote.Fencing fencing, String why,
                          String because, Optional<String> warning, Optional<Refusal> refusal, boolean lost) {
        String risk(String q) {
            if (lost) {
                return "commits " + name.get() + " acknowledged but had not replicated before it was lost are not on "
                        + q + " (asynchronous replication)";
            }
            return state.equals("EMPTY") ? "commits " + name.get() + " had not replicated before its data directory "
                    + "was emptied are lost already" : "writes resume once " + q + " is promoted";
        }
    }

    private static Former former(Facts f, ObservedNode q) {
        // a primary the daemon keeps stopped after a crash loop is the one failed over from, whatever else says so
        Optional<String> former = f.all.stream().filter(n -> n.state() == NodeState.PRIMARY && !n.running()
                        && f.confirmations.keepStopped().contains(n.name())).map(ObservedNode::name).findFirst()
                .or(() -> PrimaryRules.formerPrimary(f)).filter(fp -> !fp.equals(q.name()));
        Optional<ObservedNode> fn = former.flatMap(f::node);
        Action.Promote.Fencing seen = Action.Promote.Fencing.SEEN_STOPPED;
        if (former.isEmpty()) {
            return new Former(former, "", seen, "no primary", "no node holds primary data", Optional.empty(),
                    Optional.empty(), false);
        }
        String name = former.get();
        if (fn.isPresent() && fn.get().state() != NodeState.UNREACHABLE && fn.get().state() != NodeState.UNKNOWN) {
            NodeState st = fn.get().state();
            if (f.confirmations.keepStopped().contains(name)) {
                return new Former(former, st.name(), seen, name + " kept stopped after a crash loop", "the former "
                        + "primary " + name + " crashed again and again; the daemon keeps it stopped",
                        Optional.empty(), Optional.empty(), false);
            }
            return st == NodeState.EMPTY
                    ? new Former(former, "EMPTY", seen, name + "'s data directory is empty", "the former primary "
                    + name + " has an empty data directory", Optional.empty(), Optional.empty(), false)
                    : new Former(former, st.name(), seen, "no primary, " + name + " is " + st, "the former primary "
                    + name + " is " + st, Optional.empty(), Optional.empty(), false);
        }
        String state = fn.isEmpty() ? "not a node pgrds can check" : fn.get().state() == NodeState.UNREACHABLE
                ? "unreachable" : "in an unknown state";
        Optional<Refusal> local = fn.flatMap(n -> Checks.notDownButUnreachable(f, n, q.name()));
        Action.Promote.Fencing fencing = f.confirmations.fenced().contains(name) ? Action.Promote.Fencing.OPERATOR
                : quorumFenced(f, name, q) ? Action.Promote.Fencing.QUORUM
                : f.fenceHook.isPresent() && fn.isPresent() ? Action.Promote.Fencing.HOOK : null;
        if (fencing == Action.Promote.Fencing.QUORUM) {
            String detached = f.detachedStandbys().stream().map(ObservedNode::name).collect(Collectors.joining(", "));
            return new Former(former, state, fencing, name + " " + state + ", fenced by a quorum (" + detached
                    + " detached)", "the former primary " + name + " is " + state + "; with durability quorum, "
                    + detached + " no longer follow it, so it cannot acknowledge another commit, and every commit it "
                    + "acknowledged is on one of them", Optional.of(name + " (" + state + ") is fenced by the quorum: "
                    + "it can complete no commit any more, but clients still connected to it wait on theirs. pgrds "
                    + "stops it as soon as it can see it; to end those waits sooner, fence " + name + " (power it off "
                    + "or cut it off)."), Optional.empty(), false);
        }
        Optional<Refusal> refusal = local.or(() -> fencing == null ? Optional.of(Checks.notFenced(f, name, fn, q))
                : Optional.empty());
        boolean operator = fencing == Action.Promote.Fencing.OPERATOR;
        return new Former(former, state, fencing == null ? seen : fencing, name + " " + state
                + (operator ? ", fenced by the operator" : ", fenced by the hook first"), "the former primary " + name
                + " is " + state + (fn.isPresent() && !f.isDesired(name) ? " and was removed from the file" : "")
                + "; " + (operator ? "the operator confirmed it is fenced (--fenced " + name + ")"
                : "the fence hook fences it before the promotion"), Optional.of("Possible loss of commits not yet "
                + "replicated from " + name + " (" + state + "): with asynchronous replication, what it acknowledged "
                + "but had not sent to " + q.name() + " is not on " + q.name()), refusal, true);
    }

    /**
     * A standby that streams, or heard from its sender within {@link #RECEIVED_RECENTLY_MILLIS}, proves that sender
     * alive: nothing is promoted then, unless the sender is a node pgrds sees stopped (the receiver has not noticed
     * yet) or the former primary about to be fenced by the hook. An operator's word that the former primary is
     * fenced is taken only when no standby heard from it in those seconds.
     */
    private static Optional<Refusal> stillReceiving(Facts f, Optional<String> former, Action.Promote.Fencing fencing) {
        for (String name : f.desiredNames) {
            ObservedNode s = f.get(name);
            if (s.state() != NodeState.STANDBY || s.sql().isEmpty()) {
                continue;
            }
            SqlFacts sql = s.sql().get();
            boolean streaming = sql.walReceiverStatus().filter("streaming"::equals).isPresent();
            boolean recent = sql.walReceiverMessageAgeMillis().filter(a -> a <= f.receivedRecentlyMillis()).isPresent();
            // to a daemon that lost the primary, a receiver that still says "streaming" but heard nothing for longer
            // than a healthy link stays silent has not noticed yet: only the message's age counts
            boolean stale = f.confirmations.lost().isPresent() && sql.walReceiverMessageAgeMillis().isPresent()
                    && !recent;
            if (!streaming && !recent || stale) {
                continue;
            }
            // the node it receives from: by the receiver's own sender_host:port, else by its configuration
            Optional<String> sender = sql.walReceiverSender().flatMap(f::nodeAt)
                    .or(() -> f.upstreamNode(s))
                    .or(() -> sql.walReceiverSender().map(hp -> hp.replaceFirst(":[0-9]+$", "")))
                    .or(() -> f.upstreamText(s));
            Optional<ObservedNode> from = sender.flatMap(f::node);
            boolean seenStopped = from.isPresent() && !from.get().running()
                    && from.get().state() != NodeState.UNREACHABLE && from.get().state() != NodeState.UNKNOWN;
            if (seenStopped) {
                continue;
            }
            boolean isFormer = sender.isPresent() && sender.equals(former);
            if (isFormer && fencing == Action.Promote.Fencing.HOOK) {
                continue;
            }
            if (isFormer && fencing == Action.Promote.Fencing.OPERATOR && !recent) {
                continue;
            }
            return Optional.of(Checks.stillReceiving(f, s, sender.orElse(sql.walReceiverSender().orElse("an unknown "
                    + "sender")), streaming, sql.walReceiverMessageAgeMillis(), isFormer && fencing
                    == Action.Promote.Fencing.OPERATOR));
        }
        return Optional.empty();
    }

    /**
     * Whether a quorum fences the lost primary {@code name} for promoting {@code q}: the watching daemon lost it,
     * durability is a quorum of K among N standbys, N−K+1 standbys are detached (they cannot acknowledge its
     * commits any more), and {@code q} is one of them (the most advanced of them holds every acknowledged commit).
     */
    private static boolean quorumFenced(Facts f, String name, ObservedNode q) {
        if (!f.isLost(name) || f.quorumToDetach().isEmpty()) {
            return false;
        }
        List<ObservedNode> detached = f.detachedStandbys();
        return detached.size() >= f.quorumToDetach().get() && detached.stream().anyMatch(d -> d.name().equals(q.name()));
    }
}
