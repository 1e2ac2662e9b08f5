package io.dispatchd.server.journal;

import io.dispatchd.server.config.FsyncPolicy;

import java.nio.file.Path;

/**
 * How the journal is kept.
 *
 * @param directory    where its segment files and lock live ({@code --journal})
 * @param fsync        when records reach stable storage ({@code --fsync})
 * @param maxBytes     past this many bytes on disk new jobs are refused ({@code --journal-max-bytes})
 * @param segmentBytes a segment file rolls over past this size
 */
public record JournalSettings(Path directory, FsyncPolicy fsync, long maxBytes, long segmentBytes) {

    /**
     * Segments of 64 MiB: few enough files to roll over rarely, small enough that disk comes back
     * soon after their jobs finish; smaller when the whole journal is small.
     */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    /**
     * Settings with segments small enough that at least eight fit under {@code maxBytes}: the
     * newest segment cannot be deleted while it is being written, so a journal of one or two
     * segments would fill up with records of finished jobs and refuse work it has room for.
     */
    public static JournalSettings of(Path directory, FsyncPolicy fsync, long maxBytes) {
        long segment = Math.max(64 << 10, Math.min(DEFAULT_SEGMENT_BYTES, maxBytes / 8));
        return new JournalSettings(directory, fsync, maxBytes, segment);
    }
}
