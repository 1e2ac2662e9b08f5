package io.dispatchd.server.executor;

import io.dispatchd.server.service.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;

/**
 * One admitted job on its way through the pool. Its state moves once to OVER, from NEW, RUNNING
 * (a worker runs the service's code) or WAITING (the service returned a stage that is not complete
 * yet: the job holds no thread); whoever moves it — the worker on return, the stage on completion,
 * the timer at the timeout, the drain at the deadline — reports the outcome, so the ticket hears
 * exactly one. Interrupts are sent under the same lock as the worker's own end-of-job, so an
 * interrupt can never leak into the worker's next job. A job counts toward {@code --max-running}
 * from its start until it is over ({@link JobRunner#startPermit}).
 */
final class JobRun {

    private static final Logger log = LoggerFactory.getLogger(JobRun.class);

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int WAITING = 2;
    private static final int OVER = 3;

    final Job job;
    final JobTicket ticket;
    private final JobRunner runner;
    private int state = NEW;
    private Thread worker;
    private CompletableFuture<?> stage;
    private ScheduledFuture<?> timeout;
    private long startNanos;
    /** Whether this run holds a {@code --max-running} permit; given back once, by whoever ends it. */
    private boolean holdsPermit;

    JobRun(Job job, JobTicket ticket, JobRunner runner) {
        this.job = job;
        this.ticket = ticket;
        this.runner = runner;
    }

    /** Runs the job on {@code self}, unless it is over already (cut off by a drain). */
    void run(WorkerPool.Worker self) {
        // Publish the job before checking the deadline; the drain sets the deadline before it
        // reads what workers hold. With both volatile, at least one side sees the other, so a
        // job taken at the deadline is cut off (once: cutOff() is idempotent), never lost.
        self.current = this;
        if (runner.deadlinePassed() || !runner.startPermit()) {
            cutOffByWorker(self);
            return;
        }
        boolean starts;
        synchronized (this) {
            holdsPermit = true;
            // The deadline again: it hands out every permit, so a worker that waited for one wakes past it.
            starts = state == NEW && !runner.deadlinePassed();
            if (starts) {
                state = RUNNING;
                worker = self.thread;
                startNanos = System.nanoTime();
                timeout = runner.scheduleTimeout(this);
            } else {
                givePermitBack();
            }
        }
        if (!starts) {
            cutOffByWorker(self); // nothing, if the drain has cut it off already
            return;
        }
        JobOutcome outcome = null;
        CompletableFuture<?> started = null;
        try {
            Service service = runner.services().lookup(job.service());
            if (service == null) {
                // Only a job from an earlier run can name a service this one lacks: a plugin removed.
                log.warn("job {}: no service '{}' in this server; counted failed", job, job.service());
                outcome = JobOutcome.FAILED;
            } else {
                CompletionStage<?> s = service.start(job.qual(), runner.context());
                started = (s == null ? Service.DONE : s).toCompletableFuture();
            }
        } catch (InterruptedException e) {
            outcome = JobOutcome.FAILED;
        } catch (Throwable t) {
            outcome = JobOutcome.FAILED;
            log.warn("job {} failed: {}", job, t.toString());
        } finally {
            self.current = null;
        }
        if (started != null && !started.isDone() && waitFor(started)) {
            Thread.interrupted(); // an interrupt meant for this job must not reach the next one
            return; // the stage ends the job, on whatever thread completes it
        }
        if (outcome == null) {
            outcome = outcomeOf(started);
        }
        end(RUNNING, outcome);
        Thread.interrupted();
    }

    /**
     * Cuts off a job its worker holds but will not start, and leaves it to the drain's report. Under
     * this run's lock, so that the drain ({@link WorkerPool#takenJobsSettled}) sees it either not
     * started, or ended and reported; never ended and not yet reported.
     */
    private void cutOffByWorker(WorkerPool.Worker self) {
        synchronized (this) {
            DrainReport.CutOff c = cutOff();
            if (c != null) {
                runner.cutOffByWorker(c);
            }
        }
        self.current = null;
    }

    /** Whether no worker has started it and nothing has ended it yet. */
    synchronized boolean notStarted() {
        return state == NEW;
    }

    /** The job goes on without a thread; false if it was timed out or cut off while its service started it. */
    private boolean waitFor(CompletableFuture<?> started) {
        synchronized (this) {
            if (state != RUNNING) {
                started.cancel(true);
                return false;
            }
            state = WAITING;
            worker = null;
            stage = started;
        }
        runner.waiting(this, true);
        started.whenComplete((v, e) -> {
            runner.waiting(this, false);
            end(WAITING, e == null ? JobOutcome.OK : failed(e));
        });
        return true;
    }

    private JobOutcome outcomeOf(CompletableFuture<?> done) {
        try {
            done.join();
            return JobOutcome.OK;
        } catch (RuntimeException e) {
            return failed(e);
        }
    }

    private JobOutcome failed(Throwable e) {
        if (!(e instanceof java.util.concurrent.CancellationException)) {
            log.warn("job {} failed: {}", job, (e.getCause() != null ? e.getCause() : e).toString());
        }
        return JobOutcome.FAILED;
    }

    /** Ends the job from {@code from} (the state its ender saw) and reports it, unless someone else ended it first. */
    private void end(int from, JobOutcome outcome) {
        boolean report;
        synchronized (this) {
            report = state == from;
            state = OVER;
            worker = null;
            if (timeout != null) {
                timeout.cancel(false);
            }
            givePermitBack();
        }
        if (report) {
            ticket.finished(outcome, System.nanoTime() - startNanos);
        }
    }

    /** Under the lock: the job no longer counts toward {@code --max-running}. */
    private void givePermitBack() {
        if (holdsPermit) {
            holdsPermit = false;
            runner.givePermitBack();
        }
    }

    /** At {@code --job-timeout}: ends the job as timed out; interrupts its worker or cancels its stage. */
    void timeOut() {
        CompletableFuture<?> cancel;
        synchronized (this) {
            if (state != RUNNING && state != WAITING) {
                return;
            }
            cancel = endFromOutside();
        }
        cancelStage(cancel);
        log.warn("job {} ran past the job timeout and was {}", job, cancel != null ? "cancelled" : "interrupted");
        ticket.finished(JobOutcome.TIMED_OUT, System.nanoTime() - startNanos);
    }

    /**
     * At the drain deadline: ends the job as abandoned if it is not over yet. Returns it, with whether
     * it had started, or {@code null} when it was over already.
     */
    DrainReport.CutOff cutOff() {
        CompletableFuture<?> cancel;
        boolean started;
        synchronized (this) {
            if (state == OVER) {
                return null;
            }
            started = state != NEW; // a worker may hold a run it has not started: it waits for a --max-running permit
            cancel = endFromOutside();
        }
        cancelStage(cancel);
        ticket.finished(JobOutcome.ABANDONED, 0);
        return new DrainReport.CutOff(job, started);
    }

    /**
     * Under the lock, for the timer or the drain: the job is over. A worker running it is interrupted
     * (it gives the permit back when the service's code returns); a stage it waits on is returned,
     * its permit given back, for {@link #cancelStage} outside the lock.
     */
    private CompletableFuture<?> endFromOutside() {
        if (worker != null) {
            worker.interrupt();
        }
        CompletableFuture<?> cancel = state == WAITING ? stage : null;
        state = OVER;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (cancel != null) {
            givePermitBack();
        }
        return cancel;
    }

    private void cancelStage(CompletableFuture<?> cancel) {
        if (cancel != null) {
            runner.waiting(this, false);
            cancel.cancel(true);
        }
    }
}
