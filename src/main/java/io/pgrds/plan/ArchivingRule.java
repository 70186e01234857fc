package io.pgrds.plan;

import io.pgrds.desired.Repository;
import io.pgrds.observe.ArchiveHealth;
import io.pgrds.observe.NodePaths;
import io.pgrds.observe.ObservedNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** WAL archiving that fails or falls behind: a warning in every plan, refused or not, and no action. */
final class ArchivingRule {
    private ArchivingRule() {
    }

    /**
     * WAL archiving that fails or falls behind changes no action, but every plan says so, refused or not: PostgreSQL
     * keeps each WAL segment until it is archived, so the node's disk fills up and then it stops. The rule and its
     * thresholds are {@link ArchiveHealth}'s; this adds what to look at and what never to do.
     */
    static List<String> archiving(Facts f) {
        List<String> out = new ArrayList<>();
        for (ObservedNode n : f.all) {
            ArchiveHealth.of(n).filter(ArchiveHealth::problem).ifPresent(h -> out.add(archiveWarning(f, n, h)));
        }
        return out;
    }

    static String archiveWarning(Facts f, ObservedNode n, ArchiveHealth h) {
        String name = n.name();
        boolean failing = h.verdict() == ArchiveHealth.Verdict.FAILING;
        StringBuilder w = new StringBuilder("Archiving from ").append(h.primary() ? "primary " : "standby ")
                .append(name).append(failing ? " is failing" : " is behind")
                .append(h.diskInDanger() ? " and its disk is in danger: " : ": ").append(h.situation()).append(". ");
        w.append("PostgreSQL keeps every WAL segment until it is archived, so ").append(name)
                .append("'s disk fills up ").append(h.diskInDanger() ? "soon" : "if this goes on").append(", and then ").append(name)
                .append(" stops").append(h.diskInDanger() ? ": act now. " : ". ");
        Optional<String> dataDirectory = f.desired.node(name).map(s -> s.dataDirectory())
                .or(() -> n.marker().flatMap(m -> m.members().stream().filter(x -> x.name().equals(name))
                        .map(x -> x.dataDirectory()).findFirst()));
        Optional<Repository> repository = f.desired.backup().map(b -> b.repository());
        String target = repository.map(r -> "repository " + r.name() + (r instanceof Repository.Posix p
                ? " (" + p.path() + " on " + name + ")"
                : " (bucket " + ((Repository.S3) r).bucket() + " at " + ((Repository.S3) r).endpoint() + ")"))
                .orElse("the archive_command" + n.sql().map(s -> s.settings().get("archive_command"))
                        .filter(Objects::nonNull).map(s -> " (" + s.value() + ")").orElse(""));
        if (!failing) {
            w.append("archive_command is slower than the WAL written, or hangs on a repository that does not answer: ");
        }
        w.append(failing ? "Check " : "check ").append(target);
        repository.ifPresent(r -> w.append(r instanceof Repository.Posix
                ? ": full, missing, unmounted or not writable by postgres?"
                : ": reachable, and are its credentials valid?"));
        w.append(repository.isPresent() ? " " : ". ");
        w.append(failing ? "The archiver's error is in " : "Its messages are in ")
                .append(dataDirectory.map(d -> new NodePaths(d).serverLog()).orElse("the server log")).append(" on ")
                .append(name);
        if (repository.isPresent() && f.desired.node(name).isPresent()) {
            w.append("; `pgbackrest --config=").append(ConfigFiles.pgbackrestConfPath(f.desired.node(name).get()))
                    .append(" --stanza=").append(io.pgrds.desired.BackupSpec.stanza(f.desired.id()))
                    .append(" check`, run as postgres on ").append(name).append(", tests the repository");
        }
        w.append(". Once archiving works again, PostgreSQL archives the waiting segments and removes them itself: "
                + "never delete files from pg_wal by hand.");
        return w.toString();
    }
}
