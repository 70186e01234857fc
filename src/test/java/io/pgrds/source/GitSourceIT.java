package io.pgrds.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;

/** Reads real repositories made on disk with JGit: working trees, bare repositories, file:// remotes. */
class GitSourceIT {
    private static final PersonIdent AUTHOR =
            new PersonIdent("Platform Team", "platform@example.com", java.time.Instant.parse("2025-01-01T00:00:00Z"),
                    java.time.ZoneOffset.UTC);
    private static final String INTEGRATION = "clusters/orderdata/integration.yaml";
    private static final String PRODUCTION = "clusters/orderdata/production.yaml";

    @TempDir
    Path tmp;

    // ---- local working trees ------------------------------------------------------------------

    @Test
    void readsTheCommittedTreeNotTheWorkingTree() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            RevCommit commit = commit(git, Map.of(INTEGRATION, "version: 15\n"));
            write(dir, INTEGRATION, "version: 16\n");

            Snapshot snapshot = GitSource.read(dir.toString(), null, tmp.resolve("cache"));

            assertEquals(Optional.of(commit.name()), snapshot.commit());
            assertEquals("HEAD", snapshot.ref());
            assertEquals(Map.of(INTEGRATION, "version: 15\n"), text(snapshot));
            assertEquals(List.of("uncommitted changes in clusters/ are not part of this run: "
                    + INTEGRATION + " (modified)"), snapshot.warnings());
        }
    }

    @Test
    void warnsAboutUntrackedFilesUnderClustersOnly() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            commit(git, Map.of(INTEGRATION, "version: 15\n"));
            write(dir, PRODUCTION, "version: 15\n");
            write(dir, "notes.txt", "not part of the fleet\n");

            Snapshot snapshot = GitSource.read(dir.toString(), "HEAD", null);

            assertEquals(Map.of(INTEGRATION, "version: 15\n"), text(snapshot));
            assertEquals(List.of("uncommitted changes in clusters/ are not part of this run: "
                    + PRODUCTION + " (untracked)"), snapshot.warnings());
        }
    }

    @Test
    void namesEveryKindOfUncommittedChange() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            commit(git, Map.of("clusters/a/deleted.yaml", "x\n", "clusters/a/modified.yaml", "x\n",
                    "clusters/a/staged.yaml", "x\n"));
            Files.delete(dir.resolve("clusters/a/deleted.yaml"));
            write(dir, "clusters/a/modified.yaml", "y\n");
            write(dir, "clusters/a/staged.yaml", "y\n");
            write(dir, "clusters/a/added.yaml", "y\n");
            git.add().addFilepattern("clusters/a/staged.yaml").addFilepattern("clusters/a/added.yaml").call();
            write(dir, "clusters/a/untracked.yaml", "y\n");

            Snapshot snapshot = GitSource.read(dir.toString(), null, null);

            assertEquals(List.of("uncommitted changes in clusters/ are not part of this run: "
                    + "clusters/a/added.yaml (added), clusters/a/deleted.yaml (deleted), "
                    + "clusters/a/modified.yaml (modified), clusters/a/staged.yaml (modified), "
                    + "clusters/a/untracked.yaml (untracked)"), snapshot.warnings());
            assertEquals(Map.of("clusters/a/deleted.yaml", "x\n", "clusters/a/modified.yaml", "x\n",
                    "clusters/a/staged.yaml", "x\n"), text(snapshot));
        }
    }

    @Test
    void listsTenUncommittedPathsThenCountsTheRest() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            commit(git, Map.of(INTEGRATION, "version: 15\n"));
            for (int i = 10; i < 22; i++) {
                write(dir, "clusters/team" + i + "/integration.yaml", "version: 15\n");
            }

            Snapshot snapshot = GitSource.read(dir.toString(), null, null);

            StringBuilder expected = new StringBuilder("uncommitted changes in clusters/ are not part of this run: ");
            for (int i = 10; i < 20; i++) {
                expected.append(i == 10 ? "" : ", ").append("clusters/team").append(i).append("/integration.yaml (untracked)");
            }
            expected.append(" and 2 more");
            assertEquals(List.of(expected.toString()), snapshot.warnings());
        }
    }

    @Test
    void aCleanWorkingTreeGivesNoWarning() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            commit(git, Map.of(INTEGRATION, "version: 15\n"));
            write(dir, "README.md", "edited outside clusters/\n");

            assertEquals(List.of(), GitSource.read(dir.toString(), null, null).warnings());
        }
    }

    @Test
    void returnsOnlyFilesUnderClusters() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            Map<String, String> files = new LinkedHashMap<>();
            files.put("README.md", "# fleet\n");
            files.put("schema/cluster.schema.json", "{}\n");
            files.put("clusters-old/orderdata/integration.yaml", "version: 9\n");
            files.put("clusters/defaults.yaml", "ssh: {user: pgrds}\n");
            files.put(INTEGRATION, "version: 15\n");
            files.put("clusters/orderdata/team.yaml", "team: orderdata\n");
            commit(git, files);

            Snapshot snapshot = GitSource.read(dir.toString(), null, null);

            assertEquals(List.of("clusters/defaults.yaml", INTEGRATION, "clusters/orderdata/team.yaml"),
                    List.copyOf(snapshot.files().keySet()));
            assertEquals("ssh: {user: pgrds}\n", new String(snapshot.files().get("clusters/defaults.yaml"), UTF_8));
        }
    }

    @Test
    void aCommitWithoutClustersGivesNoFilesAndAWarning() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            RevCommit commit = commit(git, Map.of("README.md", "# fleet\n", "clusters.yaml", "not a directory\n"));

            Snapshot snapshot = GitSource.read(dir.toString(), null, null);

            assertEquals(Map.of(), snapshot.files());
            assertEquals(List.of("no clusters/ directory at commit " + commit.name().substring(0, 7)),
                    snapshot.warnings());
        }
    }

    // ---- refs ---------------------------------------------------------------------------------

    @Test
    void branchesTagsAndCommitIdsEachReadTheirOwnCommit() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            RevCommit first = commit(git, Map.of(INTEGRATION, "version: 13\n"));
            git.tag().setName("v1").setAnnotated(true).setMessage("first release").setTagger(AUTHOR).call();
            RevCommit second = commit(git, Map.of(INTEGRATION, "version: 14\n"));
            git.tag().setName("light").setAnnotated(false).call();
            git.checkout().setCreateBranch(true).setName("upgrade").call();
            RevCommit third = commit(git, Map.of(INTEGRATION, "version: 15\n"));
            RevCommit fourth = commit(git, Map.of(INTEGRATION, "version: 16\n"));
            git.checkout().setName("main").call();

            assertRead(dir, null, second, "version: 14\n");
            assertRead(dir, "HEAD", second, "version: 14\n");
            assertRead(dir, "main", second, "version: 14\n");
            assertRead(dir, "upgrade", fourth, "version: 16\n");
            assertRead(dir, "refs/heads/upgrade", fourth, "version: 16\n");
            assertRead(dir, "v1", first, "version: 13\n");
            assertRead(dir, "light", second, "version: 14\n");
            assertRead(dir, first.name(), first, "version: 13\n");
            assertRead(dir, third.name().toUpperCase(), third, "version: 15\n");
            assertRead(dir, third.name().substring(0, 7), third, "version: 15\n");
        }
    }

    private static void assertRead(Path dir, String ref, RevCommit commit, String content) {
        Snapshot snapshot = GitSource.read(dir.toString(), ref, null);
        assertEquals(Optional.of(commit.name()), snapshot.commit(), ref);
        assertEquals(ref == null ? "HEAD" : ref, snapshot.ref());
        assertEquals(Map.of(INTEGRATION, content), text(snapshot), ref);
    }

    @Test
    void aNameThatIsBothATagAndABranchReadsTheTagAndSaysSo() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            RevCommit tagged = commit(git, Map.of(INTEGRATION, "version: 15\n"));
            git.tag().setName("release").setAnnotated(false).call();
            git.branchCreate().setName("release").call();
            git.checkout().setName("refs/heads/release").call();
            RevCommit branch = commit(git, Map.of(INTEGRATION, "version: 16\n"));

            Snapshot tag = GitSource.read(dir.toString(), "release", null);
            Snapshot head = GitSource.read(dir.toString(), "refs/heads/release", null);

            assertEquals(Optional.of(tagged.name()), tag.commit());
            assertEquals(List.of("'release' is both a tag and a branch in " + dir + ": reading the tag (commit "
                    + tagged.name().substring(0, 7) + "); pass refs/heads/release for the branch"), tag.warnings());
            assertEquals(Optional.of(branch.name()), head.commit());
            assertEquals(List.of(), head.warnings());
        }
    }

    @Test
    void anUnknownRefIsAnErrorNamingItAndListingBranchesAndTags() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            commit(git, Map.of(INTEGRATION, "version: 15\n"));
            git.branchCreate().setName("upgrade").call();
            git.tag().setName("v1").setAnnotated(false).call();

            assertError("ref 'relase' not found in " + dir + " (branches: main, upgrade; tags: v1); "
                    + "pass a branch, a tag or a commit id", () -> GitSource.read(dir.toString(), "relase", null));
            assertError("ref 'deadbeef' not found in " + dir + " (branches: main, upgrade; tags: v1); "
                    + "pass a branch, a tag or a commit id", () -> GitSource.read(dir.toString(), "deadbeef", null));
            String missing = "0123456789abcdef0123456789abcdef01234567";
            assertError("ref '" + missing + "' not found in " + dir + " (branches: main, upgrade; tags: v1); "
                    + "pass a branch, a tag or a commit id", () -> GitSource.read(dir.toString(), missing, null));
        }
    }

    @Test
    void aLongListOfBranchesIsCutShort() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            commit(git, Map.of(INTEGRATION, "version: 15\n"));
            for (int i = 10; i < 22; i++) {
                git.branchCreate().setName("b" + i).call();
            }

            assertError("ref 'nope' not found in " + dir + " (branches: b10, b11, b12, b13, b14, b15, b16, b17, b18, "
                    + "b19 and 3 more; tags: none); pass a branch, a tag or a commit id",
                    () -> GitSource.read(dir.toString(), "nope", null));
        }
    }

    @Test
    void anAmbiguousAbbreviatedCommitIdIsAnErrorNamingIt() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            RevCommit base = commit(git, Map.of(INTEGRATION, "version: 15\n"));
            // make commits (kept alive by a branch each) until two share their first four hex digits
            Map<String, ObjectId> byPrefix = new HashMap<>(Map.of(base.name().substring(0, 4), base));
            List<ObjectId> clash = new ArrayList<>();
            try (ObjectInserter inserter = git.getRepository().newObjectInserter()) {
                for (int i = 0; clash.isEmpty(); i++) {
                    CommitBuilder builder = new CommitBuilder();
                    builder.setTreeId(base.getTree());
                    builder.setParentId(base);
                    builder.setAuthor(AUTHOR);
                    builder.setCommitter(AUTHOR);
                    builder.setMessage("attempt " + i + "\n");
                    ObjectId id = inserter.insert(builder);
                    inserter.flush();
                    RefUpdate update = git.getRepository().updateRef("refs/heads/attempt-" + i);
                    update.setNewObjectId(id);
                    update.forceUpdate();
                    ObjectId earlier = byPrefix.putIfAbsent(id.name().substring(0, 4), id);
                    if (earlier != null) {
                        clash.add(earlier);
                        clash.add(id);
                    }
                }
            }
            String prefix = clash.get(0).name().substring(0, 4);
            List<String> names = clash.stream().map(id -> id.name().substring(0, 12)).sorted().toList();

            assertError("commit id '" + prefix + "' is ambiguous in " + dir + ": it matches commits "
                    + names.get(0) + ", " + names.get(1) + "; pass more characters of the commit id",
                    () -> GitSource.read(dir.toString(), prefix, null));
        }
    }

    @Test
    void aRefToATreeIsAnError() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            RevCommit commit = commit(git, Map.of(INTEGRATION, "version: 15\n"));
            RefUpdate update = git.getRepository().updateRef("refs/tags/tree");
            update.setNewObjectId(commit.getTree());
            update.forceUpdate();

            assertError("ref 'tree' in " + dir + " points to a tree, not a commit; pass a branch, a tag or a commit id",
                    () -> GitSource.read(dir.toString(), "tree", null));
        }
    }

    @Test
    void anUnbornHeadIsAnErrorListingTheBranchesThatExist() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            commit(git, Map.of(INTEGRATION, "version: 15\n"));
            RefUpdate head = git.getRepository().updateRef(Constants.HEAD);
            head.link("refs/heads/trunk");

            assertError("ref 'HEAD' not found in " + dir + ": it points to branch trunk, which has no commits yet "
                    + "(branches: main; tags: none); pass a branch, a tag or a commit id",
                    () -> GitSource.read(dir.toString(), null, null));
        }
    }

    // ---- repository kinds ---------------------------------------------------------------------

    @Test
    void aBareRepositoryIsReadWithoutWarnings() throws Exception {
        Path work = tmp.resolve("work");
        Path bare = tmp.resolve("fleet.git");
        try (Git git = init(work)) {
            RevCommit commit = commit(git, Map.of(INTEGRATION, "version: 15\n"));
            Git.cloneRepository().setURI(work.toUri().toString()).setDirectory(bare.toFile()).setBare(true).call()
                    .close();

            Snapshot snapshot = GitSource.read(bare.toString(), "main", null);

            assertEquals(Optional.of(commit.name()), snapshot.commit());
            assertEquals(Map.of(INTEGRATION, "version: 15\n"), text(snapshot));
            assertEquals(List.of(), snapshot.warnings());
        }
    }

    @Test
    void aRepositoryWithoutCommitsIsAnError() throws Exception {
        Path dir = tmp.resolve("fleet");
        init(dir).close();
        write(dir, INTEGRATION, "version: 15\n");

        assertError("repository " + dir + " has no commits yet: commit the clusters/ directory, then run again",
                () -> GitSource.read(dir.toString(), null, null));
    }

    @Test
    void aPathThatDoesNotExistIsAnError() {
        Path dir = tmp.resolve("nowhere");

        assertError("repository " + dir + " does not exist: pass the root of a git repository, "
                + "a directory containing clusters/, or a remote URL", () -> GitSource.read(dir.toString(), null, null));
    }

    @Test
    void aDirectoryInsideARepositoryIsRefusedNamingTheRoot() throws Exception {
        Path dir = tmp.resolve("fleet");
        try (Git git = init(dir)) {
            commit(git, Map.of(INTEGRATION, "version: 15\n"));
            Path inside = dir.resolve("clusters/orderdata");

            assertError(inside + " is inside the git repository " + dir + ", not its root: pass " + dir,
                    () -> GitSource.read(inside.toString(), null, null));
        }
    }

    @Test
    void aPlainDirectoryIsReadFromDiskWithAWarning() throws Exception {
        Path dir = tmp.resolve("fleet");
        write(dir, INTEGRATION, "version: 15\n");
        write(dir, "clusters/defaults.yaml", "ssh: {user: pgrds}\n");
        write(dir, "schema/cluster.schema.json", "{}\n");
        Files.createSymbolicLink(dir.resolve("clusters/orderdata/link.yaml"), dir.resolve(INTEGRATION));

        Snapshot snapshot = GitSource.read(dir.toString(), null, null);

        assertEquals(Optional.empty(), snapshot.commit());
        assertEquals("HEAD", snapshot.ref());
        assertEquals(Map.of(INTEGRATION, "version: 15\n", "clusters/defaults.yaml", "ssh: {user: pgrds}\n"),
                text(snapshot));
        assertEquals(List.of(dir + " is not a git repository: reading files from disk, no commit recorded",
                "clusters/orderdata/link.yaml is a symbolic link, not a file: skipped"), snapshot.warnings());
    }

    @Test
    void aPlainDirectoryWithoutClustersWarnsTwice() throws Exception {
        Path dir = tmp.resolve("fleet");
        Files.createDirectories(dir);

        Snapshot snapshot = GitSource.read(dir.toString(), null, null);

        assertEquals(Map.of(), snapshot.files());
        assertEquals(List.of(dir + " is not a git repository: reading files from disk, no commit recorded",
                "no clusters/ directory in " + dir), snapshot.warnings());
    }

    @Test
    void aPlainDirectoryRefusesARef() throws Exception {
        Path dir = tmp.resolve("fleet");
        write(dir, INTEGRATION, "version: 15\n");

        assertError(dir + " is not a git repository, so ref 'main' cannot be read there: "
                + "leave out the ref, or pass a git repository", () -> GitSource.read(dir.toString(), "main", null));
    }

    // ---- remotes ------------------------------------------------------------------------------

    @Test
    void aRemoteIsFetchedIntoTheCacheAndRefetchedOnEveryRead() throws Exception {
        Path origin = tmp.resolve("origin");
        Path cache = tmp.resolve("cache");
        try (Git git = init(origin)) {
            RevCommit first = commit(git, Map.of(INTEGRATION, "version: 15\n"));
            String url = origin.toUri().toString();
            assertTrue(url.startsWith("file:/"), url);

            Snapshot before = GitSource.read(url, null, cache);
            assertEquals(Optional.of(first.name()), before.commit());
            assertEquals(Map.of(INTEGRATION, "version: 15\n"), text(before));
            assertEquals(List.of(), before.warnings());

            RevCommit second = commit(git, Map.of(INTEGRATION, "version: 16\n", PRODUCTION, "version: 16\n"));
            Snapshot after = GitSource.read(url, null, cache);

            assertEquals(Optional.of(second.name()), after.commit());
            assertEquals(Map.of(INTEGRATION, "version: 16\n", PRODUCTION, "version: 16\n"), text(after));
            try (Stream<Path> entries = Files.list(cache)) {
                assertEquals(List.of(Urls.cacheKey(url) + ".git", Urls.cacheKey(url) + ".lock"),
                        entries.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
    }

    @Test
    void aRemoteResolvesBranchesTagsCommitsAndItsDefaultBranch() throws Exception {
        Path origin = tmp.resolve("origin");
        Path cache = tmp.resolve("cache");
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("trunk").call()) {
            RevCommit first = commit(git, Map.of(INTEGRATION, "version: 14\n"));
            git.tag().setName("v1").setAnnotated(true).setMessage("first").setTagger(AUTHOR).call();
            RevCommit second = commit(git, Map.of(INTEGRATION, "version: 15\n"));
            git.checkout().setCreateBranch(true).setName("upgrade").call();
            RevCommit third = commit(git, Map.of(INTEGRATION, "version: 16\n"));
            git.checkout().setName("trunk").call();
            String url = "file://" + origin;

            assertEquals(Optional.of(second.name()), GitSource.read(url, null, cache).commit());
            assertEquals(Optional.of(third.name()), GitSource.read(url, "upgrade", cache).commit());
            assertEquals(Optional.of(first.name()), GitSource.read(url, "v1", cache).commit());
            assertEquals(Optional.of(first.name()), GitSource.read(url, first.name(), cache).commit());
            assertEquals(Optional.of(third.name()), GitSource.read(url, third.name().substring(0, 8), cache).commit());
            assertEquals(Map.of(INTEGRATION, "version: 16\n"), text(GitSource.read(url, "upgrade", cache)));
            assertError("ref 'main' not found in " + url + " (branches: trunk, upgrade; tags: v1); "
                    + "pass a branch, a tag or a commit id", () -> GitSource.read(url, "main", cache));
        }
    }

    @Test
    void aBranchDeletedOnTheRemoteIsGoneFromTheCache() throws Exception {
        Path origin = tmp.resolve("origin");
        Path cache = tmp.resolve("cache");
        try (Git git = init(origin)) {
            commit(git, Map.of(INTEGRATION, "version: 15\n"));
            git.branchCreate().setName("experiment").call();
            String url = "file://" + origin;
            GitSource.read(url, "experiment", cache);

            git.branchDelete().setBranchNames("experiment").setForce(true).call();

            assertError("ref 'experiment' not found in " + url + " (branches: main; tags: none); "
                    + "pass a branch, a tag or a commit id", () -> GitSource.read(url, "experiment", cache));
        }
    }

    @Test
    void concurrentReadsOfOneRemoteShareTheCacheSafely() throws Exception {
        Path origin = tmp.resolve("origin");
        Path cache = tmp.resolve("cache");
        try (Git git = init(origin)) {
            RevCommit commit = commit(git, Map.of(INTEGRATION, "version: 15\n"));
            String url = "file://" + origin;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Callable<Snapshot>> reads = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    reads.add(() -> GitSource.read(url, null, cache));
                }
                for (Future<Snapshot> read : pool.invokeAll(reads)) {
                    assertEquals(Optional.of(commit.name()), read.get().commit());
                    assertEquals(Map.of(INTEGRATION, "version: 15\n"), text(read.get()));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void anEmptyRemoteIsAnError() throws Exception {
        Path origin = tmp.resolve("origin");
        init(origin).close();
        String url = "file://" + origin;

        assertError("repository " + url + " has no commits yet: commit the clusters/ directory, then run again",
                () -> GitSource.read(url, null, tmp.resolve("cache")));
    }

    @Test
    void aFailedFetchNamesTheUrlButNeverItsCredentials() {
        String url = "https://alice:s3cret@127.0.0.1:9/platform/fleet.git";

        PgrdsException e = assertThrows(PgrdsException.class, () -> GitSource.read(url, null, tmp.resolve("cache")));

        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().startsWith("unable to fetch https://127.0.0.1:9/platform/fleet.git: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; check the URL, the network and the credentials"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertFalse(e.getMessage().contains("alice"), e.getMessage());
        assertEquals(null, e.getCause());
    }

    @Test
    void aMissingFileRemoteIsAnErrorNamingIt() {
        String url = "file://" + tmp.resolve("no-such-origin");

        assertError("unable to fetch " + url + ": not found; check the URL, the network and the credentials",
                () -> GitSource.read(url, null, tmp.resolve("cache")));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static Git init(Path dir) throws Exception {
        return Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    }

    /** Writes {@code files} into the working tree and commits exactly them (plus what is already tracked). */
    private static RevCommit commit(Git git, Map<String, String> files) throws Exception {
        Path root = git.getRepository().getWorkTree().toPath();
        for (Map.Entry<String, String> file : files.entrySet()) {
            write(root, file.getKey(), file.getValue());
            git.add().addFilepattern(file.getKey()).call();
        }
        return git.commit().setMessage("change " + files.keySet()).setAuthor(AUTHOR).setCommitter(AUTHOR)
                .setSign(false).call();
    }

    private static void write(Path root, String path, String content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static Map<String, String> text(Snapshot snapshot) {
        Map<String, String> text = new LinkedHashMap<>();
        snapshot.files().forEach((path, bytes) -> text.put(path, new String(bytes, UTF_8)));
        return text;
    }

    private static void assertError(String message, org.junit.jupiter.api.function.Executable read) {
        PgrdsException e = assertThrows(PgrdsException.class, read);
        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e.code());
        assertEquals(message, e.getMessage());
    }
}
