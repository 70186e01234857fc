package io.pgrds.daemon;

import io.pgrds.app.BackupService;
import io.pgrds.app.ObserveSettings;
import io.pgrds.apply.BackupResult;
import io.pgrds.apply.Backups;
import io.pgrds.desired.BackupType;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.transport.Sessions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's scheduled backups: what {@code pgrds backup CLUSTER --type TYPE} does, through the same
 * {@link BackupService} (observe, choose the node, refuse on two primaries or a node it cannot see), with the outcome
 * in the cluster's status. Never two backups of one cluster at once from this daemon; a bigger type due at the same
 * time wins ({@link BackupCoincidence}).
 */
final class BackupRunner {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final Daemon daemon;
    /** The backup of each cluster this daemon is taking now, described for the one that has to wait. */
    private final Map<ClusterId, String> running = new ConcurrentHashMap<>();

    BackupRunner(Daemon daemon) {
        this.daemon = daemon;
    }

    /**
     * A scheduled backup of one type. Not taken, and reported as skipped, when a bigger type is due at the same time
     * or a backup of the cluster is still running (here, or pgBackRest's lock).
     *
     * @param scheduled     when the trigger was due (Quartz's scheduled fire time)
     * @param afterFailover the full backup {@link #afterFailover} fired: when another backup of the cluster is still
     *                      running, it is tried again a minute later instead of being skipped
     */
    void backup(ClusterId id, BackupType type, Instant scheduled, boolean afterFailover) {
        if (daemon.stopping()) {
            return;
        }
        Optional<String> givesWay;
        try {
            givesWay = BackupCoincidence.givesWay(type, scheduled, daemon.schedules().biggerTriggers(id, type));
        } catch (SchedulerException e) {
            givesWay = Optional.empty(); // the job store is unreadable: take the backup rather than miss one
            LOG.warn("{}: could not read the other backup triggers, taking the {} backup: {}", id, type.key(),
                    e.getMessage());
        }
        if (givesWay.isPresent()) {
            skipped(id, type, BackupRuns.Cause.BIGGER_TYPE, givesWay.get());
            return;
        }
        Instant at = Instant.now();
        String mine = "the " + type.key() + " backup started at " + at;
        String before = running.putIfAbsent(id, mine);
        if (before != null) {
            skipped(id, type, BackupRuns.Cause.ALREADY_RUNNING, before + " is still running");
            retryIf(afterFailover, id);
            return;
        }
        long t0 = System.nanoTime();
        LastBackup outcome;
        try {
            outcome = take(id, type, at, t0);
        } catch (Backups.AlreadyRunning e) {
            skipped(id, type, BackupRuns.Cause.ALREADY_RUNNING, e.getMessage());
            retryIf(afterFailover, id);
            return;
        } catch (RuntimeException e) {
            outcome = new LastBackup(type, at, (System.nanoTime() - t0) / 1_000_000, false, Optional.empty(),
                    Optional.empty(), Optional.of(String.valueOf(e.getMessage())));
        } finally {
            running.remove(id, mine);
        }
        daemon.recordBackup(id, outcome);
        if (outcome.ok()) {
            LOG.info("{}: scheduled {} backup from {}{} ({} ms)", id, type.key(), outcome.node().orElse("?"),
                    outcome.label().map(l -> ": " + l).orElse(""), outcome.millis());
        } else {
            LOG.warn("{}: scheduled {} backup failed ({} ms): {}", id, type.key(), outcome.millis(),
                    outcome.message().orElse(""));
        }
    }

    private LastBackup take(ClusterId id, BackupType type, Instant at, long t0) {
        DesiredCluster c = FleetLoader.loadOrThrow(daemon.snapshot()).cluster(id).orElseThrow(
                () -> new IllegalStateException(id + " is no longer in the repository"));
        Daemon.Config config = daemon.config();
        try (Sessions sessions = daemon.sessions()) {
            BackupResult r = new BackupService(sessions, new ObserveSettings(config.parallel(),
                    config.observeDeadline()), new Reconciler.LogListener()).backup(c, type.key());
            // the repository's figures at once, not at the next reading: an alert on the backup's age clears now
            daemon.recordRepository(id, Reconciler.readCatalog(daemon, c, sessions,
                    daemon.status(id).flatMap(s -> s.figures().repository())));
            return new LastBackup(type, at, (System.nanoTime() - t0) / 1_000_000, true, Optional.of(r.node()),
                    r.backup().map(BackupCatalog.Backup::label), Optional.empty());
        }
    }

    /**
     * After a failover: WAL the lost primary never archived is missing from the archive, so a point-in-time restore
     * across the failover cannot pass it until a full backup is taken after it. With a full backup in
     * {@code backup.schedule}, the daemon fires that job at once (on a Quartz thread, so the cluster's runs go on,
     * and never beside another backup of the cluster); without one it only says so.
     */
    void afterFailover(ClusterId id) {
        try {
            if (!daemon.stopping() && daemon.schedules().fireAfterFailover(id)) {
                LOG.warn("{}: a standby was promoted in place of the lost primary: taking a full backup now, so that "
                        + "restores from here on do not depend on WAL the lost primary never archived", id);
                return;
            }
        } catch (SchedulerException e) {
            LOG.warn("{}: a standby was promoted, but the full backup could not be started: {}", id, e.getMessage());
            return;
        }
        LOG.warn("{}: a standby was promoted in place of the lost primary; backup.schedule has no full backup, so the "
                + "daemon takes none: take one now (pgrds backup {} --type full)", id, id);
    }

    private void retryIf(boolean afterFailover, ClusterId id) {
        if (afterFailover) {
            daemon.schedules().retryAfterFailover(id);
        }
    }

    private void skipped(ClusterId id, BackupType type, BackupRuns.Cause cause, String reason) {
        daemon.recordSkippedBackup(id, new BackupRuns.Skipped(type, Instant.now(), cause, reason));
        LOG.info("{}: scheduled {} backup skipped, {}", id, type.key(), reason);
    }
}
