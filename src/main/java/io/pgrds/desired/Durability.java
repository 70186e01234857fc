package io.pgrds.desired;

/**
 * When a commit is acknowledged to the client ({@code durability} in the cluster file).
 */
public sealed interface Durability {
    /** Once it is on the primary's disk (PostgreSQL's default): a failover may lose what standbys had not received. */
    Durability ASYNC = new Async();

    /** The default. */
    record Async() implements Durability {
    }

    /**
     * Once any {@code k} standbys have it on disk ({@code synchronous_standby_names = 'ANY k (…)'}): with N standbys,
     * any N−k+1 of them hold every acknowledged commit, which is what a failover without the old primary relies on.
     */
    record Quorum(int k) implements Durability {
        public Quorum {
            if (k < 1) {
                throw new IllegalArgumentException("a quorum needs at least one standby");
            }
        }

        /**
         * How many of {@code standbys} must be detached from a lost primary before one is promoted: N−K+1, so that
         * every K of them share one with the detached (K + N−K+1 > N) and the old primary keeps fewer than K.
         */
        public int toDetach(int standbys) {
            return standbys - k + 1;
        }
    }

    /** "async" or "quorum 2". */
    default String describe() {
        return this instanceof Quorum q ? "quorum " + q.k() : "async";
    }
}
