package io.dispatchd.server.executor;

import io.dispatchd.server.service.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledFuture;

/**
 * One admitted job on its way through the pool. Its state moves once from NEW or RUNNING to OVER;
 * whoever moves it — the worker on return, the timer at the timeout, the drain at the deadline —
 * reports the outcome, so the ticket hears exactly one. Interrupts are sent under the same lock as
 * the worker's own end-of-job, so an interrupt can never leak into the worker's next job.
 */
final class JobRun {

    private static final Logger log = LoggerFactory.getLogger(JobRun.class);

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int OVER = 2;

    final Job job;
    final JobTicket ticket;
    private final JobRunner runner;
    private int state = NEW;
    private Thread worker;
    private long startNanos;

    JobRun(Job job, JobTicket ticket, JobRunner runner) {
        this.job = job;
        this.ticket = ticket;
        this.runner = runner;
    }

    /** Runs the job on {@code self}, unless it is over already (cut off by a drain). */
    void run(WorkerPool.WorkerThread self) {
        // Publish the job before checking the deadline; the drain sets the deadline before it
        // reads what workers hold. With both volatile, at least one side sees the other, so a
        // job taken at the deadline is cut off (once: cutOff() is idempotent), never lost.
        self.current = this;
        if (runner.deadlinePassed()) {
            self.current = null;
            cutOff();
            return;
        }
        synchronized (this) {
            if (state != NEW) {
                self.current = null;
                return;
            }
            state = RUNNING;
            worker = self;
            startNanos = System.nanoTime();
        }
        ScheduledFuture<?> timeout = runner.scheduleTimeout(this);
        JobOutcome outcome;
        try {
            Service service = runner.services().lookup(job.service());
            if (service == null) {
                // Only a job from an earlier run can name a service this one lacks: a plugin removed.
                log.warn("job {}: no service '{}' in this server; counted failed", job, job.service());
                outcome = JobOutcome.FAILED;
            } else {
                service.execute(job.qual(), runner.context());
                outcome = JobOutcome.OK;
            }
        } catch (InterruptedException e) {
            outcome = JobOutcome.FAILED;
        } catch (Throwable t) {
            outcome = JobOutcome.FAILED;
            log.warn("job {} failed: {}", job, t.toString());
        } finally {
            if (timeout != null) {
                timeout.cancel(false);
            }
            self.current = null;
        }
        boolean report;
        synchronized (this) {
            report = state == RUNNING;
            state = OVER;
            worker = null;
        }
        Thread.interrupted(); // an interrupt meant for this job must not reach the next one
        if (report) {
            ticket.finished(outcome, System.nanoTime() - startNanos);
        }
    }

    /** At {@code --job-timeout}: ends the job as timed out and interrupts its worker. */
    void timeOut() {
        synchronized (this) {
            if (state != RUNNING) {
                return;
            }
            state = OVER;
            worker.interrupt();
        }
        log.warn("job {} ran past the job timeout and was interrupted", job);
        ticket.finished(JobOutcome.TIMED_OUT, System.nanoTime() - startNanos);
    }

    /** At the drain deadline: ends the job as abandoned if it is not over yet; returns whether it was. */
    boolean cutOff() {
        synchronized (this) {
            if (state == OVER) {
                return false;
            }
            if (worker != null) {
                worker.interrupt();
            }
            state = OVER;
        }
        ticket.finished(JobOutcome.ABANDONED, 0);
        return true;
    }
}
