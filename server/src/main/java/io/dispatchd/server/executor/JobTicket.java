package io.dispatchd.server.executor;

/** How {@link JobAdmission} reports on one job. Calls may come from any thread. */
public interface JobTicket {

    /** The job was admitted: it will run (or, at a drain deadline, be reported abandoned). */
    void admitted();

    /** The job was not admitted and nothing ran. */
    void refused(Refusal why);

    /**
     * The admitted job is over.
     *
     * @param runNanos how long it ran on a worker (until the timeout for {@link JobOutcome#TIMED_OUT};
     *                 meaningless for {@link JobOutcome#ABANDONED})
     */
    void finished(JobOutcome outcome, long runNanos);
}
