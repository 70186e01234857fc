/**
 * The reconcile daemon ({@code pgrds daemon}).
 *
 * <h2>A run</h2>
 * One Quartz job per cluster ({@link io.pgrds.daemon.ClusterJob}, {@code @DisallowConcurrentExecution}), fired
 * every interval and on signed pushes. A run ({@link io.pgrds.daemon.Reconciler}) reads the ref, loads the
 * fleet, observes the cluster, plans, cuts the plan with {@link io.pgrds.daemon.Policy#split} and gives the
 * executor the allowed prefix only. It ends in one INFO sentence ({@link io.pgrds.daemon.Outcomes#sentence}),
 * e.g. {@code orderdata/integration: no action, pg1 primary, 1 standby streaming, commit 3f2a1c9}. A fleet job
 * ({@link io.pgrds.daemon.FleetJob}) at the same interval gives new clusters a job and deletes removed ones'
 * (not while the repository has invalid files).
 *
 * <h2>Policy</h2>
 * {@code observe} applies nothing; {@code full} everything; {@code safe} the table in
 * {@link io.pgrds.daemon.Policy}. Only the prefix of the plan before the first held-back action is applied:
 * later actions may depend on earlier ones.
 *
 * <h2>Status</h2>
 * Per cluster, as Argo CD shows it: {@code Synced} (nothing planned, or all of it applied), {@code OutOfSync}
 * (the plan's actions and those held back), {@code Refused} (the planner's code and message), {@code Error}
 * (the message); the commit the servers last matched and when; the last run's time, duration, result and
 * action counts; node states and replication lag as observed at the start of the run (again after it, when it applied
 * something), replication lag in time, WAL waiting for the archiver and the room for it ({@link io.pgrds.daemon.Figures}),
 * and the backups as the repository lists them (read by a run every 5 minutes and after each scheduled backup).
 * Served as JSON on {@code /status} ({@link io.pgrds.daemon.StatusJson}, {@code docs/daemon.md}) and through the
 * Prometheus Java client on {@code /metrics} ({@link io.pgrds.daemon.Metrics}; OpenMetrics or text by
 * {@code Accept}). Without a job store the status lives in memory; with a shared one it lives in the job store's
 * database ({@link io.pgrds.daemon.StatusTable}), so every daemon on it answers the same.
 *
 * <h2>Webhook</h2>
 * {@code POST /hooks/git} needs {@code --webhook-secret-file}; without it the webhook answers 403. GitHub's
 * {@code X-Hub-Signature-256} (HMAC-SHA256 of the body) or GitLab's {@code X-Gitlab-Token} is checked in
 * constant time; a missing or wrong one gets 401. An accepted push reads the repository and moves each
 * cluster's one trigger to now (a run in progress is followed by the new one).
 *
 * <h2>Stopping</h2>
 * SIGTERM runs a shutdown hook: the scheduler stops taking runs, a run in the middle of an apply stops before
 * its next action (the listener throws at {@code actionStarted}, which the executor calls outside its per-action
 * error handling, so it still appends the audit and releases the cluster lock), and
 * {@code Scheduler.shutdown(true)} waits for the runs. Nothing is cut inside an action.
 *
 * <h2>Several daemons</h2>
 * {@code --job-store jdbc:postgresql://...}: Quartz's {@code JobStoreTX} with {@code PostgreSQLDelegate},
 * clustered, checking in every 5 s, triggers acquired under the lock; the tables are created on first start.
 * Daemons sharing a store must use the same repository, ref and {@code --scheduler-name}. A daemon that dies is
 * declared failed 7.5 s after a missed check-in; another one's next check-in recovers its fired triggers and the
 * misfire scan fires them, so its clusters run elsewhere within about 22.5 s ({@code DaemonFailoverIT}).
 *
 * <h2>Backups</h2>
 * A cluster with {@code backup.schedule} (Quartz cron, seconds first, UTC; one expression is a full backup's, a
 * mapping names one per type) has a {@link io.pgrds.daemon.BackupJob} per type: group {@code backups} for full (the
 * group of the single schedule before types), {@code backups-diff}, {@code backups-incr}; a pgBackRest backup of that
 * type, as {@code pgrds backup CLUSTER --type TYPE} takes it (from the primary, or a standby with
 * {@code fromStandby}). Of two types due within the same minute only the biggest runs
 * ({@link io.pgrds.daemon.BackupCoincidence}); one that finds a backup of the cluster running (this daemon's, or
 * pgBackRest's lock) is skipped. The fleet job keeps these jobs in line with the repository; the outcomes per type
 * are in the status ({@code backups}, and {@code lastBackup}: the most recent).
 */
package io.pgrds.daemon;
