package io.pgrds.source;

import static io.pgrds.source.GitSource.unavailable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Turns what the user asked for (branch, tag, full ref name, full or abbreviated commit id, HEAD)
 * into one commit, or an error that names the ref and lists what exists instead.
 */
final class Commits {
    /** Git itself refuses abbreviations shorter than four hex digits. */
    private static final Pattern ABBREVIATED_ID = Pattern.compile("[0-9a-fA-F]{4,39}");
    private static final int LISTED = 10;

    private Commits() {
    }

    /** Whether the repository has any ref at all; a repository without one has no commits yet. */
    static boolean hasCommits(Repository repo) throws IOException {
        return repo.getRefDatabase().hasRefs();
    }

    /**
     * The commit {@code ref} names in {@code repo}.
     *
     * @param where the repository as shown to the user (a path, or a URL without credentials)
     */
    static RevCommit resolve(Repository repo, String ref, String where, List<String> warnings) throws IOException {
        if (ObjectId.isId(ref.toLowerCase(Locale.ROOT))) {
            // a full id wins over a ref of the same name, as in git
            ObjectId id = ObjectId.fromString(ref.toLowerCase(Locale.ROOT));
            if (repo.getObjectDatabase().has(id)) {
                return peelToCommit(repo, id, ref, where);
            }
            throw notFound(repo, ref, where);
        }
        Ref found = repo.findRef(ref);
        if (found != null) {
            if (found.getObjectId() == null) {
                throw unborn(repo, ref, found, where);
            }
            RevCommit commit = peelToCommit(repo, found.getObjectId(), ref, where);
            warnIfAlsoABranch(repo, ref, found, commit, where).ifPresent(warnings::add);
            return commit;
        }
        if (ABBREVIATED_ID.matcher(ref).matches()) {
            return byAbbreviation(repo, ref, where);
        }
        throw notFound(repo, ref, where);
    }

    /**
     * Git reads a name that is both a tag and a branch as the tag; when the two differ the user
     * probably meant one of them, so say which was read and how to ask for the other.
     */
    private static Optional<String> warnIfAlsoABranch(Repository repo, String ref, Ref found, RevCommit commit,
            String where) throws IOException {
        if (!found.getName().equals(Constants.R_TAGS + ref)) {
            return Optional.empty();
        }
        Ref branch = repo.exactRef(Constants.R_HEADS + ref);
        if (branch == null || branch.getObjectId() == null
                || commit.equals(peelToCommit(repo, branch.getObjectId(), ref, where))) {
            return Optional.empty();
        }
        return Optional.of("'" + ref + "' is both a tag and a branch in " + where + ": reading the tag (commit "
                + commit.abbreviate(7).name() + "); pass refs/heads/" + ref + " for the branch");
    }

    private static RevCommit byAbbreviation(Repository repo, String ref, String where) throws IOException {
        List<RevCommit> commits = new ArrayList<>();
        Collection<ObjectId> candidates;
        try (ObjectReader reader = repo.newObjectReader()) {
            candidates = reader.resolve(AbbreviatedObjectId.fromString(ref.toLowerCase(Locale.ROOT)));
        }
        // like git for a commit-ish: trees and blobs that share the prefix do not make it ambiguous
        try (RevWalk walk = new RevWalk(repo)) {
            for (ObjectId candidate : candidates) {
                RevObject peeled = walk.peel(walk.parseAny(candidate));
                if (peeled instanceof RevCommit commit && !commits.contains(commit)) {
                    commits.add(commit);
                }
            }
        }
        if (commits.size() == 1) {
            return commits.get(0);
        }
        if (commits.isEmpty()) {
            if (candidates.size() == 1) {
                return peelToCommit(repo, candidates.iterator().next(), ref, where);
            }
            throw notFound(repo, ref, where);
        }
        List<String> names = commits.stream().map(c -> c.abbreviate(12).name()).sorted().toList();
        throw unavailable("commit id '" + ref + "' is ambiguous in " + where + ": it matches commits "
                + String.join(", ", names) + "; pass more characters of the commit id");
    }

    private static RevCommit peelToCommit(Repository repo, ObjectId id, String ref, String where)
            throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevObject peeled = walk.peel(walk.parseAny(id));
            if (peeled instanceof RevCommit commit) {
                return commit;
            }
            throw unavailable("ref '" + ref + "' in " + where + " points to a "
                    + Constants.typeString(peeled.getType()) + ", not a commit; pass a branch, a tag or a commit id");
        } catch (MissingObjectException e) {
            throw unavailable("ref '" + ref + "' in " + where + " points to " + e.getObjectId().name()
                    + ", which is missing from the repository; the repository is incomplete or corrupt");
        }
    }

    private static RuntimeException unborn(Repository repo, String ref, Ref found, String where) throws IOException {
        String target = Repository.shortenRefName(found.getTarget().getName());
        return unavailable("ref '" + ref + "' not found in " + where + ": it points to branch " + target
                + ", which has no commits yet " + available(repo) + "; pass a branch, a tag or a commit id");
    }

    private static RuntimeException notFound(Repository repo, String ref, String where) throws IOException {
        return unavailable("ref '" + ref + "' not found in " + where + " " + available(repo)
                + "; pass a branch, a tag or a commit id");
    }

    /** {@code (branches: a, b; tags: v1)}, a few of each, so the user sees what to pass instead. */
    private static String available(Repository repo) throws IOException {
        return "(branches: " + names(repo, Constants.R_HEADS) + "; tags: " + names(repo, Constants.R_TAGS) + ")";
    }

    private static String names(Repository repo, String prefix) throws IOException {
        List<String> names = repo.getRefDatabase().getRefsByPrefix(prefix).stream()
                .map(r -> r.getName().substring(prefix.length()))
                .sorted()
                .toList();
        if (names.isEmpty()) {
            return "none";
        }
        return GitSource.listAtMost(names, LISTED);
    }
}
