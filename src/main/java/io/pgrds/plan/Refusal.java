package io.pgrds.plan;

import java.util.Optional;

/**
 * Why the planner refused to plan a cluster: nothing is changed on it until the cause is gone.
 *
 * @param code     a stable code from {@link RefusalCode} (scripts may match on it)
 * @param cluster  the cluster id ({@code team/stage})
 * @param node     the node at fault, when one is
 * @param message  what is wrong, naming node and cluster
 * @param nextStep what the user should do
 */
public record Refusal(String code, String cluster, Optional<String> node, String message, String nextStep) {
    static Refusal of(RefusalCode code, String cluster, String node, String message, String nextStep) {
        return new Refusal(code.name(), cluster, Optional.ofNullable(node), message, nextStep);
    }
}
