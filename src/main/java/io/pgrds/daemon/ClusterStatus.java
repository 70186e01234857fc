package io.pgrds.daemon;

import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * What the daemon knows about one cluster after its last run. Plain data; {@link Outcomes} builds it.
 *
 * @param policy            the cluster's {@code reconcile.policy} (empty when the file could not be read)
 * @param differences       the plan's actions ({@code describe()}), in plan order: what differs
 * @param heldBack          the planned actions the daemon did not apply, in plan order
 * @param refusalCode       the planner's refusal code, when refused
 * @param message           the refusal's message or the error, when refused or failed
 * @param commit            the commit the last run read
 * @param lastAppliedCommit the commit the servers last matched after a run (applied or found in sync)
 * @param lastAppliedAt     when that was established
 * @param lastResult        {@code synced}, {@code applied}, {@code partial}, {@code held}, {@code observed},
 *                          {@code stopped}, {@code refused} or {@code error}
 * @param planned           number of actions planned in the last run
 * @param applied           number of actions applied in the last run
 * @param nodes             node name → observed state ({@code PRIMARY}, {@code STANDBY}, ...)
 * @param lagBytes          standby name → bytes it has yet to replay, as the primary reports it
 * @param sentence          the one sentence the run logged
 * @param backups           by type, the scheduled backups this daemon took or skipped ({@code backup.schedule})
 * @param warnings          the last plan's warnings (failing WAL archiving, a fenced node, ...), in plan order
 * @param dangers           DANGER: what is dangerous now (two nodes accepting writes) and was not fixed by the last
 *                          run (policy observe, or refused); empty when all is well
 * @param lastRunBy         the daemon instance that made the last run (its machine's host name: with a shared job store
 *                          any instance may)
 * @param figures           replication lag in time, WAL waiting for the archiver and the room for it, the backups as
 *                          the repository lists them
 */
public record ClusterStatus(ClusterId cluster, Optional<String> policy, Sync sync, List<String> differences,
                            List<String> heldBack, Optional<String> refusalCode, Optional<String> message,
                            Optional<String> commit, Optional<String> lastAppliedCommit,
                            Optional<Instant> lastAppliedAt, Optional<Instant> lastRunAt, long lastRunMillis,
                            String lastResult, int planned, int applied, SortedMap<String, String> nodes,
                            SortedMap<String, Long> lagBytes, String sentence,
                            SortedMap<BackupType, BackupRuns> backups, List<String> warnings,
                            List<String> dangers, Optional<String> lastRunBy, Figures figures) {
    public ClusterStatus {
        warnings = List.copyOf(warnings);
        dangers = List.copyOf(dangers);
        differences = List.copyOf(differences);
        heldBack = List.copyOf(heldBack);
        nodes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
        lagBytes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(lagBytes));
        backups = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(backups));
    }

    /** The most recent scheduled backup of any type. */
    public Optional<LastBackup> lastBackup() {
        return backups.values().stream().flatMap(r -> r.last().stream()).max(Comparator.comparing(LastBackup::at));
    }

    /** This status with the outcome of a scheduled backup. */
    public ClusterStatus withBackup(LastBackup backup) {
        return withBackups(backup.type(), runs -> runs.with(backup));
    }

    /** This status with a scheduled backup that was not taken. */
    public ClusterStatus withSkippedBackup(BackupRuns.Skipped skip) {
        return withBackups(skip.type(), runs -> runs.with(skip));
    }

    private ClusterStatus withBackups(BackupType type, UnaryOperator<BackupRuns> change) {
        TreeMap<BackupType, BackupRuns> all = new TreeMap<>(backups);
        all.put(type, change.apply(all.getOrDefault(type, BackupRuns.none())));
        return new ClusterStatus(cluster, policy, sync, differences, heldBack, refusalCode, message, commit,
                lastAppliedCommit, lastAppliedAt, lastRunAt, lastRunMillis, lastResult, planned, applied, nodes, lagBytes,
                sentence, all, warnings, dangers, lastRunBy, figures);
    }

    /** This status naming the instance that made its last run. */
    public ClusterStatus withLastRunBy(String instance) {
        return new ClusterStatus(cluster, policy, sync, differences, heldBack, refusalCode, message, commit,
                lastAppliedCommit, lastAppliedAt, lastRunAt, lastRunMillis, lastResult, planned, applied, nodes, lagBytes,
                sentence, backups, warnings, dangers, Optional.of(instance), figures);
    }

    /** This status with a new reading of the backup repository. */
    public ClusterStatus withRepository(Figures.Repository repository) {
        return new ClusterStatus(cluster, policy, sync, differences, heldBack, refusalCode, message, commit,
                lastAppliedCommit, lastAppliedAt, lastRunAt, lastRunMillis, lastResult, planned, applied, nodes, lagBytes,
                sentence, backups, warnings, dangers, lastRunBy, figures.withRepository(Optional.of(repository)));
    }

    /** A cluster with a job but no finished run yet. */
    public static ClusterStatus pending(ClusterId id) {
        return new ClusterStatus(id, Optional.empty(), Sync.UNKNOWN, List.of(), List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 0,
                "pending", 0, 0, new TreeMap<>(), new TreeMap<>(), id + ": no run yet", new TreeMap<>(), List.of(),
                List.of(), Optional.empty(), Figures.NONE);
    }
}
