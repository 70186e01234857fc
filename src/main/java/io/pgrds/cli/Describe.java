package io.pgrds.cli;

import io.pgrds.source.Snapshot;

/** Small texts shared by the commands. */
final class Describe {
    private Describe() {
    }

    /** "commit 3f2a1c9 (main)" or "files on disk (no commit)". */
    static String source(Snapshot s) {
        return s.commit().map(c -> "commit " + c.substring(0, Math.min(7, c.length())) + " (" + s.ref() + ")")
                .orElse("files on disk (no commit)");
    }
}
