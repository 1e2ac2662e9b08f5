package io.dispatchd.server.journal;

import java.util.Objects;

/** One entry of the journal: a job was admitted, or a job is over and need not run again. */
public sealed interface JournalRecord permits JournalRecord.Admitted, JournalRecord.Completed {

    /** The job's id, unique within the journal: it pairs an {@link Admitted} with its {@link Completed}. */
    long id();

    /**
     * Job {@code id} was admitted for {@code service} with {@code qual}; until a {@link Completed} with the same id
     * follows, a restart runs it again.
     *
     * @param attempt which attempt at the job this is, as the caller counts them
     * @param service the service key, ASCII, 1-32 characters
     * @param qual    the request's qualifier, any text
     */
    record Admitted(long id, int attempt, String service, String qual) implements JournalRecord {
        public Admitted {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(qual, "qual");
        }
    }

    /** Job {@code id} is over (whatever its outcome): a restart must not run it again. */
    record Completed(long id) implements JournalRecord {
    }
}
