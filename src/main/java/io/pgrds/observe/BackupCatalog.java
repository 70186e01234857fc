package io.pgrds.observe;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.Repository;
import io.pgrds.util.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The backups of one stanza in one repository, as {@code pgbackrest info --output=json} reports them, oldest first,
 * and the archived WAL: what {@code pgrds backups} lists and what a restore chooses from.
 */
public record BackupCatalog(String stanza, String repository, String status, List<Backup> backups,
                            Optional<String> walMin, Optional<String> walMax) {
    public BackupCatalog {
        backups = List.copyOf(backups);
    }

    /** One backup. {@code lsnStop} is where it becomes consistent, when pgBackRest reports it. */
    public record Backup(String label, String type, Instant start, Instant stop, long size, long repositorySize,
                         String walStart, String walStop, Optional<Lsn> lsnStop) {
        private static final java.time.format.DateTimeFormatter UTC = java.time.format.DateTimeFormatter
                .ofPattern("uuuu-MM-dd HH:mm:ss 'UTC'", java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

        /** When it stopped, as plans show it: {@code 2026-11-27 03:01:00 UTC}. */
        public String stopText() {
            return UTC.format(stop);
        }
    }

    /** The restorable window's start: the oldest backup's start. */
    public Optional<Instant> windowStart() {
        return backups.isEmpty() ? Optional.empty() : Optional.of(backups.get(0).start());
    }

    public Optional<Backup> latest() {
        return backups.isEmpty() ? Optional.empty() : Optional.of(backups.get(backups.size() - 1));
    }

    /**
     * The backup a restore to {@code target} starts from: the newest one that ends before a time or LSN target
     * (recovery cannot stop before its backup is consistent; for an LSN, only backups whose LSNs pgBackRest
     * recorded count), else the newest. Empty when no backup qualifies.
     *
     * @throws IllegalArgumentException when a time target is not a time with a zone offset
     */
    public Optional<Backup> select(Bootstrap.RecoveryTarget target) {
        return switch (target.kind()) {
            case LATEST, NAME -> latest();
            case TIME -> {
                Instant at = target.instant();
                // pgBackRest's stop times are whole seconds, truncated: a backup that stopped in the target's own
                // second may become consistent after it, so only one that stopped in an earlier second counts
                yield backups.stream().filter(b -> b.stop().getEpochSecond() < at.getEpochSecond())
                        .reduce((a, b) -> b);
            }
            case LSN -> {
                Lsn at = Lsn.parse(target.value());
                // a backup an older pgBackRest recorded without its LSNs cannot be shown to end before the target
                yield backups.stream().filter(b -> b.lsnStop().isPresent() && b.lsnStop().get().compareTo(at) <= 0)
                        .reduce((a, b) -> b);
            }
        };
    }

    /**
     * The arguments of {@code pgbackrest info} for a stanza, complete on the command line: it needs no file pgrds
     * wrote (a node about to be restored has none yet). An s3 repository's keys come from the operator's credentials
     * file, which pgBackRest reads on the node as its configuration file. Nothing is logged to files.
     */
    public static List<String> infoArguments(Repository repository, String stanza) {
        List<String> argv = new ArrayList<>();
        argv.add(repository instanceof Repository.S3 s ? "--config=" + s.credentialsFile() : "--no-config");
        repository.pgbackrestSettings().forEach((k, v) -> argv.add("--" + k + "=" + v));
        argv.add("--log-level-file=off");
        argv.add("--log-level-console=off");
        argv.add("--log-level-stderr=error");
        argv.add("--stanza=" + stanza);
        argv.add("--output=json");
        argv.add("info");
        return argv;
    }

    /**
     * Reads the JSON of {@code pgbackrest info --output=json} for one stanza.
     *
     * @throws IllegalArgumentException when it is not that JSON
     */
    public static BackupCatalog parse(String json, String repository) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("pgbackrest info printed something that is not JSON: "
                    + e.getMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("pgbackrest info printed JSON that is not a list of stanzas");
        }
        JsonNode stanza = root.path(0);
        List<Backup> backups = new ArrayList<>();
        for (JsonNode b : stanza.path("backup")) {
            String lsn = b.path("lsn").path("stop").asText("");
            backups.add(new Backup(b.path("label").asText(), b.path("type").asText(),
                    Instant.ofEpochSecond(b.path("timestamp").path("start").asLong()),
                    Instant.ofEpochSecond(b.path("timestamp").path("stop").asLong()),
                    b.path("info").path("size").asLong(), b.path("info").path("repository").path("size").asLong(),
                    b.path("archive").path("start").asText(""), b.path("archive").path("stop").asText(""),
                    lsn.contains("/") ? Optional.of(Lsn.parse(lsn)) : Optional.empty()));
        }
        Optional<String> min = Optional.empty();
        Optional<String> max = Optional.empty();
        for (JsonNode a : stanza.path("archive")) {
            String lo = a.path("min").asText("");
            String hi = a.path("max").asText("");
            if (!lo.isEmpty() && (min.isEmpty() || lo.compareTo(min.get()) < 0)) {
                min = Optional.of(lo);
            }
            if (!hi.isEmpty() && (max.isEmpty() || hi.compareTo(max.get()) > 0)) {
                max = Optional.of(hi);
            }
        }
        return new BackupCatalog(stanza.path("name").asText(), repository, stanza.path("status").path("message")
                .asText(""), backups, min, max);
    }
}
