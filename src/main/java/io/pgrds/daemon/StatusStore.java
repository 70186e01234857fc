package io.pgrds.daemon;

import io.pgrds.desired.ClusterId;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Where the daemon keeps each cluster's status: in memory for a daemon of its own, in the shared job store's database
 * ({@link StatusTable}) when several share the work, so that every one of them answers /status and /metrics the same
 * whichever ran the cluster last.
 */
interface StatusStore {
    /** Every cluster's status, sorted by id. */
    List<ClusterStatus> all();

    Optional<ClusterStatus> get(ClusterId id);

    /** Changes one cluster's status (a pending one when it has none yet), one change at a time per cluster. */
    ClusterStatus update(ClusterId id, UnaryOperator<ClusterStatus> change);

    /** A cluster with a job: pending until its first run, unless it has a status already. */
    void add(ClusterId id);

    /** A cluster gone from the repository. */
    void remove(ClusterId id);

    /** A daemon's own statuses, gone when it stops. */
    final class Memory implements StatusStore {
        private final Map<ClusterId, ClusterStatus> statuses = new ConcurrentHashMap<>();

        @Override
        public List<ClusterStatus> all() {
            return statuses.values().stream().sorted(Comparator.comparing(ClusterStatus::cluster)).toList();
        }

        @Override
        public Optional<ClusterStatus> get(ClusterId id) {
            return Optional.ofNullable(statuses.get(id));
        }

        @Override
        public ClusterStatus update(ClusterId id, UnaryOperator<ClusterStatus> change) {
            return statuses.compute(id, (k, before) -> change.apply(before == null ? ClusterStatus.pending(k) : before));
        }

        @Override
        public void add(ClusterId id) {
            statuses.putIfAbsent(id, ClusterStatus.pending(id));
        }

        @Override
        public void remove(ClusterId id) {
            statuses.remove(id);
        }
    }
}
