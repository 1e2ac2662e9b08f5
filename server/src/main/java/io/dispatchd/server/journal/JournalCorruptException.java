package io.dispatchd.server.journal;

import java.nio.file.Path;

/**
 * The journal is damaged somewhere a crash cannot have damaged it, so truncating would silently drop jobs that
 * were acknowledged: the server refuses to start and the message tells the user what to do.
 */
public final class JournalCorruptException extends Exception {

    private final Path file;
    private final long offset;

    /**
     * @param defect      what is wrong at {@code offset}, e.g. {@code bad checksum}
     * @param whatFollows why this is not a torn tail, e.g. {@code valid records follow}
     */
    public JournalCorruptException(Path file, long offset, String defect, String whatFollows) {
        super("journal " + file + " is damaged at offset " + offset + " (" + defect + ") and " + whatFollows
                + ": refusing to start. Move the journal directory aside (its jobs will not run)"
                + " or restore it from a backup, then start again.");
        this.file = file;
        this.offset = offset;
    }

    /** The damaged segment file. */
    public Path file() {
        return file;
    }

    /** Where in {@link #file()} the first damaged frame (or the segment header, at 0) starts. */
    public long offset() {
        return offset;
    }
}
