package io.pgrds.observe;

import io.pgrds.util.Units;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether WAL archiving on one node is failing or falling behind, and whether that puts the disk holding
 * {@code pg_wal} in danger. PostgreSQL keeps every finished WAL segment until {@code archive_command} has succeeded
 * for it: a repository that is full, gone, unmounted or not writable makes every attempt fail, the segments pile up
 * in {@code pg_wal}, and when its file system is full the primary stops. pgrds says so while there is still room.
 *
 * <p>A pure function of one observation: "now" is the server's own clock, read together with
 * {@code pg_stat_archiver}, never this machine's, so the planner can use it and the same observation always gives the
 * same answer (and the same words).
 *
 * <p>The rule, for a running node that archives ({@code archive_mode = on} on a primary, {@code always} anywhere;
 * without SQL facts: any {@code .ready} file shows that it does):
 * <ul>
 *   <li><b>failing</b>: the latest attempt failed — {@code last_failed_time} is newer than
 *       {@code last_archived_time} (or nothing was ever archived) — and segments are waiting. PostgreSQL tries a
 *       segment three times a second apart before it waits a minute, so one failure already means three;</li>
 *   <li><b>behind</b>: not failing, but more than {@value #BEHIND_SEGMENTS} segments wait (256 MiB with the default
 *       segment size): {@code archive_command} hangs (a repository that does not answer never fails) or is slower
 *       than the WAL written. A healthy archiver keeps zero or one segment waiting; a bulk load can briefly raise
 *       that, which is why the limit is not lower;</li>
 *   <li><b>disk in danger</b>, only while failing or behind: less room is left on the file system than the WAL
 *       already waiting (what piled up so far would not fit a second time), or less than
 *       {@value #LOW_FREE_PERCENT} % of the file system is free, or — failing only — at the pace WAL piled up since
 *       the last successful archive (waiting bytes over the time since then, once that is at least ten minutes;
 *       all of it was written since, so this never underestimates the pace) the free space is gone within
 *       {@value #FULL_WITHIN_HOURS} hours, a working day to repair the repository.</li>
 * </ul>
 *
 * @param node         the node's name
 * @param primary      false for a standby that archives ({@code archive_mode = always})
 * @param verdict      OK, BEHIND or FAILING
 * @param dangers      why the disk is in danger; empty when it is not (always empty when OK)
 * @param wal          what waits in pg_wal and the room left, when the probe could look
 * @param archiver     {@code pg_stat_archiver}, when pgrds could log in
 * @param fullInMillis failing only: when the free space runs out at the pace WAL piled up since the last archive
 */
public record ArchiveHealth(String node, boolean primary, Verdict verdict, List<Danger> dangers, Optional<WalFacts> wal,
                            Optional<ArchiverStats> archiver, Optional<Long> fullInMillis) {
    /** More segments than this waiting means the archiver is behind. */
    public static final int BEHIND_SEGMENTS = 16;
    /** Less free space than this share of the file system is a disk in danger while WAL piles up. */
    public static final int LOW_FREE_PERCENT = 10;
    /** A disk that fills within this many hours at the current pace is in danger. */
    public static final int FULL_WITHIN_HOURS = 24;
    /**
     * The pace is projected only over at least this long since the last archive: over a shorter time, a burst of
     * writes (a bulk load, a {@code pg_switch_wal}) right after it would look like a flood that fills any disk.
     */
    public static final long PACE_MIN_MILLIS = 10 * 60_000L;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    public enum Verdict { OK, BEHIND, FAILING }

    public enum Danger {
        /** Less room left than the WAL already waiting. */
        LESS_THAN_WAITING,
        /** Less than {@value #LOW_FREE_PERCENT} % of the file system free. */
        LOW_FREE,
        /** Full within {@value #FULL_WITHIN_HOURS} hours at the pace WAL piled up since the last archive. */
        FULL_SOON
    }

    public ArchiveHealth {
        dangers = List.copyOf(dangers);
    }

    /** The archiving of a node, or empty when it does not archive, does not run, or pgrds cannot tell. */
    public static Optional<ArchiveHealth> of(ObservedNode n) {
        if (!n.running() || !(n.state() == NodeState.PRIMARY || n.state() == NodeState.STANDBY)) {
            return Optional.empty();
        }
        boolean inRecovery = n.sql().map(SqlFacts::inRecovery).orElse(n.state() == NodeState.STANDBY);
        Optional<String> mode = n.sql().map(s -> s.settings().get("archive_mode")).map(Setting::value);
        Optional<ArchiverStats> stats = n.sql().flatMap(SqlFacts::archiver);
        Optional<WalFacts> wal = n.wal();
        boolean archives = mode.isPresent()
                ? mode.get().equals("always") || mode.get().equals("on") && !inRecovery
                : wal.map(w -> w.readySegments() > 0).orElse(false)
                        || !inRecovery && stats.map(a -> a.archivedCount() + a.failedCount() > 0).orElse(false);
        if (!archives) {
            return Optional.empty();
        }
        boolean waiting = wal.map(w -> w.readySegments() > 0).orElse(true);
        Verdict verdict;
        if (stats.map(ArchiverStats::lastAttemptFailed).orElse(false) && waiting) {
            verdict = Verdict.FAILING;
        } else if (wal.map(w -> w.readySegments() > BEHIND_SEGMENTS).orElse(false)) {
            verdict = Verdict.BEHIND;
        } else if (mode.isEmpty()) {
            return Optional.empty(); // without SQL a short queue tells nothing: it may be failing since a minute
        } else {
            verdict = Verdict.OK;
        }
        Optional<Long> fullIn = Optional.empty();
        List<Danger> dangers = new ArrayList<>();
        if (verdict != Verdict.OK && wal.flatMap(WalFacts::freeBytes).isPresent()) {
            WalFacts w = wal.get();
            long free = w.freeBytes().get();
            if (verdict == Verdict.FAILING && w.waitingBytes() > 0) {
                fullIn = stats.flatMap(a -> a.lastArchivedEpochMillis()
                        .filter(last -> a.observedEpochMillis() - last >= PACE_MIN_MILLIS)
                        .map(last -> (long) ((double) free * (a.observedEpochMillis() - last) / w.waitingBytes())));
            }
            if (free < w.waitingBytes()) {
                dangers.add(Danger.LESS_THAN_WAITING);
            }
            if (w.fileSystemBytes().filter(size -> free * 100.0 < size * (double) LOW_FREE_PERCENT).isPresent()) {
                dangers.add(Danger.LOW_FREE);
            }
            if (fullIn.filter(ms -> ms < FULL_WITHIN_HOURS * 3_600_000L).isPresent()) {
                dangers.add(Danger.FULL_SOON);
            }
        }
        return Optional.of(new ArchiveHealth(n.name(), !inRecovery, verdict, dangers, wal, stats, fullIn));
    }

    public boolean problem() {
        return verdict != Verdict.OK;
    }

    public boolean diskInDanger() {
        return !dangers.isEmpty();
    }

    /** The word for a status column: {@code ok}, {@code behind}, {@code FAILING}. */
    public String word() {
        return switch (verdict) {
            case OK -> "ok";
            case BEHIND -> "behind";
            case FAILING -> "FAILING";
        };
    }

    /**
     * A short clause for a one-line summary: {@code archiving from pg1 is failing (37 WAL segments, 592 MiB waiting;
     * 1.2 GiB free)}.
     */
    public String brief() {
        StringBuilder s = new StringBuilder("archiving from ").append(node).append(" is ")
                .append(verdict == Verdict.FAILING ? "failing" : verdict == Verdict.BEHIND ? "behind" : "ok");
        if (diskInDanger()) {
            s.append(" and its disk is in danger");
        }
        List<String> parts = new ArrayList<>();
        wal.ifPresent(w -> parts.add(segments(w.readySegments()) + ", " + Units.bytes(w.waitingBytes()) + " waiting"));
        wal.flatMap(WalFacts::freeBytes).ifPresent(f -> parts.add(Units.bytes(f) + " free"
                + fullInMillis.filter(ms -> diskInDanger()).map(ms -> ", full in about " + about(ms))
                .orElse("")));
        if (!parts.isEmpty()) {
            s.append(" (").append(String.join("; ", parts)).append(')');
        }
        return s.toString();
    }

    /**
     * What was found, as one clause with every number: when archiving last worked and last failed, what waits in
     * pg_wal, the room left and, when it is, why the disk is in danger.
     */
    public String situation() {
        List<String> parts = new ArrayList<>();
        Optional<ArchiverStats> a = archiver;
        if (verdict == Verdict.FAILING) {
            parts.add(a.map(x -> lastArchived(x, "nothing archived since ")).orElse("the last attempt failed")
                    + a.flatMap(x -> x.lastFailedEpochMillis().map(t -> ", the last attempt failed at " + time(t)
                    + x.lastFailedWal().map(seg -> " on " + seg).orElse(""))).orElse(""));
        } else if (verdict == Verdict.BEHIND) {
            // without pg_stat_archiver (no SQL login) only the queue is known, not whether attempts fail
            a.ifPresent(x -> parts.add("no attempt failed" + (x.lastArchivedEpochMillis().isPresent()
                    ? ", the last archive was " + x.lastArchivedWal().orElse("a segment") + " at "
                    + time(x.lastArchivedEpochMillis().get()) + " (" + ago(x, x.lastArchivedEpochMillis().get()) + ")"
                    : ", nothing archived yet")));
        } else {
            parts.add(a.map(x -> lastArchived(x, "last archived ")).orElse("archiving"));
        }
        wal.ifPresent(w -> {
            StringBuilder s = new StringBuilder().append(segments(w.readySegments())).append(" (")
                    .append(Units.bytes(w.waitingBytes())).append(") ").append(w.readySegments() == 1 ? "waits" :
                            "wait").append(" in pg_wal");
            w.pgWalBytes().ifPresent(b -> s.append(" (").append(Units.bytes(b)).append(" in all)"));
            w.freeBytes().ifPresent(f -> {
                s.append(", ").append(Units.bytes(f));
                w.fileSystemBytes().ifPresent(t -> s.append(" of ").append(Units.bytes(t)));
                s.append(" free");
                w.mountPoint().ifPresent(m -> s.append(" on ").append(m));
            });
            parts.add(s.toString());
        });
        fullInMillis.ifPresent(ms -> parts.add("at the pace WAL piled up since the last archive that space is "
                + "gone in about " + about(ms)));
        if (diskInDanger()) {
            List<String> why = new ArrayList<>();
            for (Danger d : dangers) {
                why.add(switch (d) {
                    case LESS_THAN_WAITING -> "less room left than the WAL already waiting";
                    case LOW_FREE -> "less than " + LOW_FREE_PERCENT + " % free";
                    case FULL_SOON -> "full within " + FULL_WITHIN_HOURS + " hours";
                });
            }
            parts.add("the disk is in danger (" + String.join(", ", why) + ")");
        }
        return String.join("; ", parts);
    }

    private static String lastArchived(ArchiverStats a, String prefix) {
        return a.lastArchivedEpochMillis().map(t -> prefix + time(t) + " (" + ago(a, t) + ")")
                .orElse("nothing archived yet");
    }

    private static String ago(ArchiverStats a, long at) {
        long s = Math.max(0, a.observedEpochMillis() - at) / 1000;
        if (s < 60) {
            return s + " s ago";
        }
        return (s < 3600 ? s / 60 + " min " + s % 60 + " s" : s / 3600 + " h " + s % 3600 / 60 + " min") + " ago";
    }

    /** An estimate, rounded as one: {@code 40 s}, {@code 52 min}, {@code 7 h 12 min}. */
    private static String about(long ms) {
        long s = Math.round(ms / 1000.0);
        if (s < 60) {
            return s + " s";
        }
        long min = Math.round(s / 60.0);
        return min < 60 ? min + " min" : min / 60 + " h " + min % 60 + " min";
    }

    private static String segments(int n) {
        return n + (n == 1 ? " WAL segment" : " WAL segments");
    }

    /** A server timestamp for people: {@code 2024-05-03 10:42:07 UTC}. */
    public static String time(long epochMillis) {
        return TIME.format(Instant.ofEpochMilli(epochMillis));
    }
}
