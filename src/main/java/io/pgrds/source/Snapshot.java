package io.pgrds.source;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The files of a fleet repository at one commit: what loading reads, never the working tree.
 *
 * @param commit   the full commit id; empty for a plain directory that is not a git repository
 * @param ref      what the user asked for (branch, tag, commit, HEAD)
 * @param files    every file under {@code clusters/}, by path relative to the repository root
 *                 (forward slashes), with its bytes
 * @param warnings what the user should know (uncommitted changes not part of this run, not a git
 *                 repository, ...)
 * @param history  earlier contents of the files under {@code clusters/}, newest first, from the commits before
 *                 this one (bounded): how pgrds finds the servers a cluster used before its file replaced them
 */
public record Snapshot(Optional<String> commit, String ref, SortedMap<String, byte[]> files, List<String> warnings,
                       SortedMap<String, List<byte[]>> history) {
    public Snapshot {
        files = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(files));
        warnings = List.copyOf(warnings);
        history = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(history));
    }

    /** A snapshot without history (a plain directory, a test). */
    public Snapshot(Optional<String> commit, String ref, SortedMap<String, byte[]> files, List<String> warnings) {
        this(commit, ref, files, warnings, new java.util.TreeMap<>());
    }
}
