package io.dispatchd.server.journal;

import io.dispatchd.server.executor.Job;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.executor.JobTicket;
import io.dispatchd.server.executor.Refusal;

/**
 * A job whose admission record is in the journal: the ticket the executor reports to, passing
 * every report on to the caller's ticket, and on the way telling the journal when the job is over
 * so its record need not run again. A job cut off by a drain is not over: it stays in the journal.
 *
 * <p>It is also a node of its segment's list of live jobs, so that finding the jobs that keep an
 * old segment on disk costs no map and no allocation; those fields belong to the journal's lock.
 */
final class JournaledJob implements JobTicket {

    final Job job;
    final JobTicket caller;
    private final JournalWriter journal;

    /** The segment holding this job's newest admission record; {@code null} once it is over. Journal lock. */
    LiveSegment segment;
    /** Neighbours in {@link #segment}'s list. Journal lock. */
    JournaledJob prev;
    JournaledJob next;

    JournaledJob(Job job, JobTicket caller, JournalWriter journal) {
        this.job = job;
        this.caller = caller;
        this.journal = journal;
    }

    @Override
    public void admitted() {
        caller.admitted();
    }

    @Override
    public void refused(Refusal why) {
        caller.refused(why);
    }

    @Override
    public void finished(JobOutcome outcome, long runNanos) {
        if (outcome != JobOutcome.ABANDONED) {
            journal.completed(this);
        }
        caller.finished(outcome, runNanos);
    }
}
