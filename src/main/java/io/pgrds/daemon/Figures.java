package io.pgrds.daemon;

import io.pgrds.observe.ArchiveHealth;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.ReplicationPeer;
import io.pgrds.observe.SqlFacts;
import io.pgrds.observe.WalFacts;
import java.time.Instant;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a run measured beside the sync status, for /status and /metrics: each standby's replay lag in time, each
 * node's WAL waiting for the archiver and the room left for it, and the cluster's backups as its repository lists
 * them. Plain data; {@link #of} reads an observation, {@link Repository#of} a catalog.
 *
 * @param lagMillis  standby → replay lag in milliseconds, as its primary reports it (0 when caught up)
 * @param wal        node → its WAL and the file system holding {@code pg_wal}, for nodes whose probe could look
 * @param repository the backups as {@code pgbackrest info} lists them; empty without {@code backup:} or before the
 *                   first read
 */
public record Figures(SortedMap<String, Long> lagMillis, SortedMap<String, Wal> wal, Optional<Repository> repository) {
    public static final Figures NONE = new Figures(new TreeMap<>(), new TreeMap<>(), Optional.empty());

    public Figures {
        lagMillis = Collections.unmodifiableSortedMap(new TreeMap<>(lagMillis));
        wal = Collections.unmodifiableSortedMap(new TreeMap<>(wal));
    }

    /**
     * One node's WAL.
     *
     * @param readySegments   segments waiting for the archiver ({@code .ready} files)
     * @param waitingBytes    their size
     * @param freeBytes       free on the file system holding {@code pg_wal}
     * @param fileSystemBytes that file system's size
     * @param archive         {@code ok}, {@code behind} or {@code failing}; empty when the node does not archive (or
     *                        pgrds cannot tell)
     * @param diskInDanger    while behind or failing: the disk may fill ({@link ArchiveHealth})
     * @param lastArchivedAt  when the archiver last succeeded (the server's clock)
     */
    public record Wal(int readySegments, long waitingBytes, Optional<Long> freeBytes, Optional<Long> fileSystemBytes,
                      Optional<String> archive, boolean diskInDanger, Optional<Instant> lastArchivedAt) {
    }

    /**
     * The cluster's backups as its repository lists them ({@code pgbackrest info --output=json}), so that the figures
     * hold after a restart and whichever daemon took the backups.
     *
     * @param checkedAt     when the daemon last tried to read the catalog
     * @param readAt        when it last read it (the figures below are from then)
     * @param error         why the last try failed; empty when it succeeded
     * @param backups       how many backups the repository holds
     * @param lastCompleted backup type ({@code full}, {@code diff}, {@code incr}) → when the newest of that type
     *                      completed
     * @param windowStart   the start of the restorable window: the oldest backup's start
     */
    public record Repository(Instant checkedAt, Optional<Instant> readAt, Optional<String> error, int backups,
                             SortedMap<String, Instant> lastCompleted, Optional<Instant> windowStart) {
        public Repository {
            lastCompleted = Collections.unmodifiableSortedMap(new TreeMap<>(lastCompleted));
        }

        /** The figures of a catalog read at {@code at}. */
        public static Repository of(BackupCatalog catalog, Instant at) {
            SortedMap<String, Instant> last = new TreeMap<>();
            for (BackupCatalog.Backup b : catalog.backups()) {
                last.merge(b.type().toLowerCase(Locale.ROOT), b.stop(), (x, y) -> x.isAfter(y) ? x : y);
            }
            return new Repository(at, Optional.of(at), Optional.empty(), catalog.backups().size(), last,
                    catalog.windowStart());
        }

        /** A failed read at {@code at}: the figures of the last read stay (they are still the best known). */
        public static Repository failed(Optional<Repository> before, String why, Instant at) {
            return before.map(b -> new Repository(at, b.readAt(), Optional.of(why), b.backups(), b.lastCompleted(),
                    b.windowStart())).orElse(new Repository(at, Optional.empty(), Optional.of(why), 0, new TreeMap<>(),
                    Optional.empty()));
        }
    }

    /** The same figures with another repository reading. */
    public Figures withRepository(Optional<Repository> r) {
        return new Figures(lagMillis, wal, r);
    }

    /** The lag and WAL figures of an observation (no repository reading). */
    public static Figures of(ObservedCluster observed) {
        SortedMap<String, Long> lag = new TreeMap<>();
        SortedMap<String, Wal> wal = new TreeMap<>();
        for (ObservedNode n : observed.nodes()) {
            if (n.state() == NodeState.PRIMARY && n.running() && n.sql().isPresent()) {
                for (ReplicationPeer p : n.sql().get().replication()) {
                    // replay_lag turns NULL a while after a standby caught up and nothing is written
                    p.replayLagMillis().or(() -> p.lagBytes() == 0 ? Optional.of(0L) : Optional.empty())
                            .ifPresent(ms -> lag.put(p.applicationName(), ms));
                }
            }
            if (n.wal().isPresent()) {
                WalFacts w = n.wal().get();
                Optional<ArchiveHealth> health = ArchiveHealth.of(n);
                wal.put(n.name(), new Wal(w.readySegments(), w.waitingBytes(), w.freeBytes(), w.fileSystemBytes(),
                        health.map(h -> h.verdict().name().toLowerCase(Locale.ROOT)),
                        health.map(h -> !h.dangers().isEmpty()).orElse(false),
                        n.sql().flatMap(SqlFacts::archiver).flatMap(a -> a.lastArchivedEpochMillis())
                                .map(Instant::ofEpochMilli)));
            }
        }
        return new Figures(lag, wal, Optional.empty());
    }
}
