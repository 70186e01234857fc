package io.pgrds.desired.load;

import static io.pgrds.desired.load.ClusterReader.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.BackupSpec;
import io.pgrds.desired.BackupType;
import io.pgrds.desired.Cron;
import io.pgrds.desired.Repository;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/** A cluster's {@code backup:}, with the {@code repositories:} it may name and its schedule. */
final class BackupReader {
    private BackupReader() {
    }

    /** Empty without {@code backup:}, or when it names a repository that is not declared or is incomplete. */
    static Optional<BackupSpec> backup(JsonNode doc, Report report) {
        Map<String, Repository> repositories = repositories(doc.path("repositories"), report);
        JsonNode b = doc.path("backup");
        if (!b.isObject()) {
            return Optional.empty();
        }
        TreeMap<String, Integer> retention = new TreeMap<>();
        b.path("retention").fields().forEachRemaining(r -> retention.put(r.getKey(), r.getValue().asInt()));
        TreeMap<BackupType, String> schedule = schedule(b.path("schedule"), report);
        String name = b.path("repository").asText();
        Repository repository = repositories.get(name);
        if (repository != null) {
            return Optional.of(new BackupSpec(repository, schedule, retention, b.path("fromStandby").asBoolean(false)));
        }
        if (!doc.path("repositories").has(name)) {
            report.add("/backup/repository", ProblemCode.BACKUP_REPOSITORY_UNKNOWN,
                    "the backup repository \"" + name + "\" is not declared under `repositories:` ("
                            + (repositories.isEmpty() ? "none is" : "declared: " + String.join(", ",
                            new TreeSet<>(repositories.keySet()))) + "); declare it, typically "
                            + "in clusters/defaults.yaml, or name a declared one.");
        }
        return Optional.empty();
    }

    /**
     * {@code backup.schedule}: one expression (a full backup's) or one per type. An expression Quartz cannot use is
     * reported at its key and left out, so that a cluster whose bad expression sits in a shared file still loads.
     */
    private static TreeMap<BackupType, String> schedule(JsonNode node, Report report) {
        TreeMap<BackupType, String> schedule = new TreeMap<>();
        if (node.isTextual()) {
            schedule.put(BackupType.FULL, node.asText());
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> BackupType.of(e.getKey())
                    .ifPresent(t -> schedule.put(t, e.getValue().asText())));
        }
        schedule.entrySet().removeIf(e -> {
            Optional<String> problem = Cron.problem(e.getValue());
            problem.ifPresent(why -> report.add("/backup/schedule" + (node.isObject() ? "/"
                    + e.getKey().key() : ""), ProblemCode.INVALID_SCHEDULE, why));
            return problem.isPresent();
        });
        return schedule;
    }

    /** The declared repositories; one that lacks what its type needs is reported and left out. */
    private static Map<String, Repository> repositories(JsonNode node, Report report) {
        Map<String, Repository> all = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode r = e.getValue();
            String pointer = "/repositories/" + YamlFile.escape(name);
            String type = r.path("type").asText();
            List<String> needs = type.equals("posix") ? List.of("path")
                    : List.of("bucket", "endpoint", "region", "credentialsFile");
            List<String> missing = needs.stream().filter(k -> !r.hasNonNull(k)).toList();
            if (!missing.isEmpty()) {
                report.add(pointer, ProblemCode.MISSING_KEY, "a " + type + " repository needs "
                        + String.join(", ", missing) + "; add " + (missing.size() == 1 ? "it" : "them") + ".");
                continue;
            }
            if (type.equals("posix")) {
                all.put(name, new Repository.Posix(name, r.path("path").asText()));
            } else {
                all.put(name, new Repository.S3(name, r.path("bucket").asText(), r.path("endpoint").asText(),
                        r.path("region").asText(), text(r, "path").orElse("/pgbackrest"),
                        r.path("credentialsFile").asText(), text(r, "caFile"),
                        text(r, "uriStyle").orElse("host").equals("path"), r.path("verifyTls").asBoolean(true)));
            }
        }
        return all;
    }
}
