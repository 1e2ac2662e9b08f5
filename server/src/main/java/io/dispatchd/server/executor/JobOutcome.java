package io.dispatchd.server.executor;

/** How an admitted job ended. Only {@link #OK} is a success. */
public enum JobOutcome {
    /** The service returned normally. */
    OK,
    /** The service threw, or no service has the job's key any more (a job recovered from a journal). */
    FAILED,
    /** The job ran past {@code --job-timeout} and was interrupted. */
    TIMED_OUT,
    /** The drain deadline passed before the job finished (or started). */
    ABANDONED;

    public boolean succeeded() {
        return this == OK;
    }
}
