package io.dispatchd.server.journal;

import java.nio.file.Path;
import java.util.OptionalLong;

/** Another process (or another store in this one) already uses the journal directory: two writers would mix records. */
public final class JournalLockedException extends Exception {

    private final Path directory;
    private final OptionalLong pid;

    /** @param pid the holder's process id as written in its lock file, empty if that could not be read */
    public JournalLockedException(Path directory, OptionalLong pid) {
        super("journal directory " + directory + " is in use by "
                + (pid.isPresent() ? "process " + pid.getAsLong() : "another process"));
        this.directory = directory;
        this.pid = pid;
    }

    public Path directory() {
        return directory;
    }

    /** The holder's process id, if its lock file said. */
    public OptionalLong pid() {
        return pid;
    }
}
