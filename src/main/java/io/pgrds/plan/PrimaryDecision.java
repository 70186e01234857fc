package io.pgrds.plan;

import java.util.List;

/**
 * What the planner decided about the primary, as a value: the node that is primary after the plan and the first
 * half of the plan's sentence, or why it refuses. The actions that carry the decision out are in the draft.
 */
sealed interface PrimaryDecision {
    /** What happens to the primary, as the plan's sentence begins: {@code keep pg1 primary}. */
    String sentence();

    /** Why nothing may change; empty for a decision. */
    default List<Refusal> refusals() {
        return List.of();
    }

    /** A decision with a primary after the plan. */
    sealed interface Decided extends PrimaryDecision {
        String primary();

        /** True when the plan creates, promotes or switches the primary (the endpoint moves, roles are checked). */
        default boolean changesPrimary() {
            return false;
        }
    }

    /** The running primary stays. */
    record Keep(String primary, String sentence) implements Decided {
    }

    /** The primary holds its data but is stopped: it is started. */
    record Start(String primary, String sentence) implements Decided {
    }

    /** A zero-loss handover from {@code from} to {@code primary} (begun, or completed after an interrupted one). */
    record Switchover(String from, String primary, String sentence) implements Decided {
        @Override
        public boolean changesPrimary() {
            return true;
        }
    }

    /** A standby promoted in place of a lost primary (or of a removed one that shut down cleanly). */
    record Promote(String primary, String sentence) implements Decided {
        @Override
        public boolean changesPrimary() {
            return true;
        }
    }

    /** No data anywhere: the primary is created by initdb or a restore. */
    record Create(String primary, String sentence) implements Decided {
        @Override
        public boolean changesPrimary() {
            return true;
        }
    }

    /** Nothing may change; the refusals say why and what to do. */
    record Refused(List<Refusal> refusals) implements PrimaryDecision {
        public Refused {
            refusals = List.copyOf(refusals);
        }

        @Override
        public String sentence() {
            return "refused";
        }
    }

    static Refused refused(Refusal refusal) {
        return new Refused(List.of(refusal));
    }
}
