package io.pgrds.plan;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.SqlFacts;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which node a backup is taken on: a pure function of an observation, refusing as every plan does. A backup from
 * the wrong primary would save a history the cluster no longer follows into the repository that restores read, so:
 * <ul>
 *   <li>a node pgrds cannot see (unreachable, unknown, foreign data) refuses it, as it refuses a plan: that node may
 *       be a primary;</li>
 *   <li>two primaries refuse it, unless the cluster's records tell the stale one beyond doubt (as the planner's
 *       stale-primary rule does) and that one is stopped;</li>
 *   <li>it needs the primary running;</li>
 *   <li>with backup.fromStandby, the streaming standby (the primary lists it as streaming) that has replayed the most;
 *       the primary when none streams.</li>
 * </ul>
 */
public final class BackupRules {
    private BackupRules() {
    }

    public static BackupChoice choose(DesiredCluster desired, ObservedCluster observed) {
        Facts f = new Facts(desired, observed);
        List<Refusal> refusals = Checks.refusals(f);
        if (!refusals.isEmpty()) {
            return new BackupChoice.Refused(refusals);
        }
        List<ObservedNode> primaries = f.all.stream().filter(n -> n.state() == NodeState.PRIMARY).toList();
        ObservedNode primary;
        if (primaries.size() > 1) {
            Optional<PrimaryRules.Stale> stale = PrimaryRules.stale(f, primaries);
            if (stale.isEmpty()) {
                return refused(Checks.splitBrain(f, primaries));
            }
            primary = stale.get().current();
            Optional<ObservedNode> running = stale.get().stale().stream().filter(ObservedNode::running).findFirst();
            if (running.isPresent()) {
                return refused(Refusal.of(RefusalCode.STALE_PRIMARY_RUNNING, f.id, running.get().name(), "No backup of "
                        + f.id + " is taken while " + running.get().name() + ", a stale former primary ("
                        + Facts.where(running.get()) + "), still runs beside " + primary.name() + ".", "Run pgrds "
                        + "apply (or let the daemon run): it stops " + running.get().name() + " first. Then back up."));
            }
        } else if (primaries.size() == 1) {
            primary = primaries.get(0);
        } else {
            return refused(Refusal.of(RefusalCode.NO_RUNNING_PRIMARY, f.id, null, "No backup of " + f.id + " can be "
                    + "taken: no node holds primary data.", "Run pgrds plan: it shows how the cluster gets a "
                    + "primary again. Back up once it has one."));
        }
        // without SQL facts (pgrds could not log in) a running primary is still one: the backup asks it once more
        // just before it starts
        if (!primary.running() || primary.sql().map(SqlFacts::inRecovery).orElse(false)) {
            return refused(Refusal.of(RefusalCode.NO_RUNNING_PRIMARY, f.id, primary.name(), "No backup of " + f.id
                    + " can be taken: its primary " + primary.name() + " does not run"
                    + primary.error().map(e -> " (" + e + ")").orElse("") + ".", "Run pgrds plan: it shows how "
                    + primary.name() + " is started. Back up once it runs."));
        }
        if (!f.isDesired(primary.name())) {
            return refused(Refusal.of(RefusalCode.NO_RUNNING_PRIMARY, f.id, primary.name(), "No backup of " + f.id
                    + " is taken from " + primary.name() + ": it is the primary but no longer in the file.", "Run "
                    + "pgrds apply: it hands the primary over to a node in the file. Then back up."));
        }
        if (!desired.backup().map(b -> b.fromStandby()).orElse(false)) {
            return new BackupChoice.Take(primary.name(), Optional.empty(), Optional.empty());
        }
        Optional<ObservedNode> standby = streamingStandby(f, primary);
        return standby.<BackupChoice>map(s -> new BackupChoice.Take(s.name(), Optional.of(primary.name()),
                        Optional.empty()))
                .orElseGet(() -> new BackupChoice.Take(primary.name(), Optional.empty(), Optional.of("no standby of "
                        + f.id + " is streaming from " + primary.name() + ": backing up from the primary")));
    }

    /** Of the standbys in the file that stream from {@code primary} (it lists them so), the one replayed furthest. */
    private static Optional<ObservedNode> streamingStandby(Facts f, ObservedNode primary) {
        List<String> streaming = primary.sql().map(SqlFacts::replication).orElse(List.of()).stream()
                .filter(p -> "streaming".equals(p.state())).map(p -> p.applicationName()).toList();
        return f.all.stream()
                .filter(n -> n.state() == NodeState.STANDBY && n.running() && f.isDesired(n.name()))
                .filter(n -> n.sql().filter(SqlFacts::inRecovery).flatMap(SqlFacts::walReceiverStatus)
                        .filter("streaming"::equals).isPresent())
                .filter(n -> streaming.contains(n.name()))
                .max(Comparator.comparing((ObservedNode n) -> n.sql().flatMap(SqlFacts::replayLsn).orElse(null),
                        Comparator.nullsFirst(Comparator.<Lsn>naturalOrder()))
                        .thenComparing(ObservedNode::name, Comparator.reverseOrder()));
    }

    private static BackupChoice refused(Refusal r) {
        return new BackupChoice.Refused(List.of(r));
    }
}
