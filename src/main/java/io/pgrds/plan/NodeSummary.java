package io.pgrds.plan;

import io.pgrds.observe.NodeState;
import java.util.Optional;

/**
 * The part of one node's observation that a saved plan depends on: its role and place in the topology, its data's
 * identity, its configuration and the cluster's membership marker. Deliberately not LSNs, lag or connections,
 * which move all the time without making a plan wrong.
 *
 * @param upstream   the node a standby streams from (its name when pgrds knows the host, else the host)
 * @param config     a short digest of pgrds's configuration files and parameters as found on the node
 * @param membership a short digest of the node's membership marker ({@code none} without one)
 */
public record NodeSummary(NodeState state, boolean running, Optional<String> systemIdentifier,
                          Optional<Integer> timeline, Optional<String> upstream, String config, String membership) {

    /** {@code STANDBY following pg1}, {@code PRIMARY (stopped)}, {@code UNREACHABLE}. */
    public String role() {
        StringBuilder s = new StringBuilder(state.name());
        if ((state == NodeState.PRIMARY || state == NodeState.STANDBY) && !running) {
            s.append(" (stopped)");
        }
        upstream.ifPresent(u -> s.append(" following ").append(u));
        return s.toString();
    }

    /** One canonical line; the fingerprint hashes these. */
    String canonical() {
        return state + "|" + running + "|" + systemIdentifier.orElse("-") + "|" + timeline.map(String::valueOf)
                .orElse("-") + "|" + upstream.orElse("-") + "|" + config + "|" + membership;
    }
}
