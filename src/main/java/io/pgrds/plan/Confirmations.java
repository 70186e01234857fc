package io.pgrds.plan;

import java.util.Set;
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
}
