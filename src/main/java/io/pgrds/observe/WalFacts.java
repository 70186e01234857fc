package io.pgrds.observe;

import java.util.Optional;

/**
 * The WAL on a node's disk, as the probe found it: what waits for the archiver and the room left for it.
 *
 * @param readySegments   segments PostgreSQL has finished but not archived yet (the {@code .ready} files in
 *                        {@code pg_wal/archive_status}); PostgreSQL keeps each one until it is archived
 * @param segmentBytes    the size of one segment ({@code pg_controldata}: 16 MiB unless initdb was told otherwise)
 * @param pgWalBytes      the size of {@code pg_wal} ({@code du})
 * @param fileSystemBytes the size of the file system holding {@code pg_wal} ({@code df -P})
 * @param freeBytes       what is free on it for the postgres user ({@code df -P})
 * @param mountPoint      where that file system is mounted
 */
public record WalFacts(int readySegments, long segmentBytes, Optional<Long> pgWalBytes, Optional<Long> fileSystemBytes,
                       Optional<Long> freeBytes, Optional<String> mountPoint) {
    /** PostgreSQL's default segment size, for a data directory whose control data does not say. */
    public static final long DEFAULT_SEGMENT_BYTES = 16L * 1024 * 1024;

    /** The size of the segments waiting for the archiver. */
    public long waitingBytes() {
        return readySegments * segmentBytes;
    }
}
