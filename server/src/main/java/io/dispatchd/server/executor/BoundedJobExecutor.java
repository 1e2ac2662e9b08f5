package io.dispatchd.server.executor;

import io.dispatchd.server.service.Service;
import io.dispatchd.server.service.ServiceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-memory {@link JobAdmission}: a fixed number of worker threads and a bounded queue. When both
 * are full, a job is refused at once ({@link Refusal#QUEUE_FULL}) and nothing is enqueued.
 *
 * <p>Job timeouts: a job running past {@code jobTimeout} is reported {@link JobOutcome#TIMED_OUT}
 * at that moment and its thread interrupted; the service's later return is not reported again.
 * Draining: {@link #drain} refuses new jobs, lets admitted ones finish until the deadline, then
 * reports every job still unfinished as {@link JobOutcome#ABANDONED} and logs it by service and qual.
 */
public final class BoundedJobExecutor implements JobAdmission {

    private static final Logger log = LoggerFactory.getLogger(BoundedJobExecutor.class);

    private final ServiceContext context;
    private final long jobTimeoutNanos;
    private final ThreadPoolExecutor pool;
    private final ScheduledThreadPoolExecutor timer;
    private final List<WorkerThread> workers = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean draining;
    private volatile boolean deadlinePassed;

    public BoundedJobExecutor(int workerCount, int queueCapacity, Duration jobTimeout, ServiceContext context) {
        this.context = context;
        this.jobTimeoutNanos = jobTimeout.toNanos();
        AtomicInteger seq = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(workerCount, workerCount, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                r -> {
                    WorkerThread t = new WorkerThread(r, "dispatchd-worker-" + seq.incrementAndGet());
                    synchronized (workers) {
                        workers.add(t);
                    }
                    return t;
                },
                (r, executor) -> ((JobTask) r).rejected = true);
        this.pool.prestartAllCoreThreads();
        if (jobTimeoutNanos > 0) {
            this.timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "dispatchd-job-timeout");
                t.setDaemon(true);
                return t;
            });
            this.timer.setRemoveOnCancelPolicy(true);
        } else {
            this.timer = null;
        }
    }

    @Override
    public void offer(Service service, String qual, JobTicket ticket) {
        if (draining) {
            ticket.refused(Refusal.DRAINING);
            return;
        }
        JobTask task = new JobTask(service, qual, ticket);
        pool.execute(task);
        if (task.rejected) {
            ticket.refused(pool.isShutdown() ? Refusal.DRAINING : Refusal.QUEUE_FULL);
        } else {
            ticket.admitted();
        }
    }

    @Override
    public int queued() {
        return pool.getQueue().size();
    }

    @Override
    public int running() {
        return running.get();
    }

    /** From now on every offer is refused with {@link Refusal#DRAINING}; admitted jobs still run. */
    public void refuseNewJobs() {
        draining = true;
    }

    /**
     * Refuses new jobs, waits up to {@code deadline} for admitted ones, then abandons the rest
     * (reported and logged). Returns the number abandoned. Idempotent work after the first call
     * is only the wait.
     */
    public int drain(Duration deadline) throws InterruptedException {
        refuseNewJobs();
        pool.shutdown();
        if (pool.awaitTermination(deadline.toNanos(), TimeUnit.NANOSECONDS)) {
            stopTimer();
            return 0;
        }
        // Past the deadline. Order matters: mark the deadline first, so a worker that takes a job
        // from now on abandons it itself; then empty the queue; then abandon what workers hold;
        // only then interrupt everything, so no abandoned job is reported as an ordinary failure.
        deadlinePassed = true;
        List<Runnable> neverStarted = new ArrayList<>();
        pool.getQueue().drainTo(neverStarted);
        int abandoned = 0;
        for (Runnable r : neverStarted) {
            abandoned += ((JobTask) r).abandon("never started") ? 1 : 0;
        }
        List<WorkerThread> snapshot;
        synchronized (workers) {
            snapshot = new ArrayList<>(workers);
        }
        for (WorkerThread w : snapshot) {
            JobTask current = w.current;
            if (current != null && current.abandon("still running")) {
                abandoned++;
            }
        }
        pool.shutdownNow();
        stopTimer();
        return abandoned;
    }

    /** Waits for the workers to exit after {@link #drain}; interrupted jobs that ignore interrupts are left behind. */
    public boolean awaitWorkersExit(Duration timeout) throws InterruptedException {
        return pool.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void stopTimer() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** A worker remembers the job it runs, so the drain deadline can name it. */
    private static final class WorkerThread extends Thread {
        volatile JobTask current;

        WorkerThread(Runnable r, String name) {
            super(r, name);
            setDaemon(false);
        }
    }

    /**
     * One admitted job. Its state moves once from NEW/RUNNING to an end state; whoever moves it
     * (the worker on return, the timer at the timeout, the drain at the deadline) reports the
     * outcome, so the ticket hears exactly one. Interrupts are sent under the same lock as the
     * worker's own end-of-job, so an interrupt can never leak into the worker's next job.
     */
    private final class JobTask implements Runnable {
        private static final int NEW = 0;
        private static final int RUNNING = 1;
        private static final int OVER = 2;

        final Service service;
        final String qual;
        final JobTicket ticket;
        boolean rejected;
        private int state = NEW;
        private Thread runner;
        private long startNanos;

        JobTask(Service service, String qual, JobTicket ticket) {
            this.service = service;
            this.qual = qual;
            this.ticket = ticket;
        }

        @Override
        public void run() {
            WorkerThread self = (WorkerThread) Thread.currentThread();
            // Publish the job before checking the deadline; the drain sets the deadline before it
            // reads what workers hold. With both volatile, at least one side sees the other, so a
            // job taken at the deadline is abandoned (once: abandon() is idempotent), never lost.
            self.current = this;
            if (deadlinePassed) {
                self.current = null;
                abandon("never started");
                return;
            }
            synchronized (this) {
                if (state != NEW) {
                    self.current = null;
                    return;
                }
                state = RUNNING;
                runner = self;
                startNanos = System.nanoTime();
            }
            running.incrementAndGet();
            java.util.concurrent.ScheduledFuture<?> timeout = timer == null ? null
                    : timer.schedule(this::timeOut, jobTimeoutNanos, TimeUnit.NANOSECONDS);
            JobOutcome outcome;
            try {
                service.execute(qual, context);
                outcome = JobOutcome.OK;
            } catch (InterruptedException e) {
                outcome = JobOutcome.FAILED;
            } catch (Throwable t) {
                outcome = JobOutcome.FAILED;
                log.warn("job {} '{}' failed: {}", service.key(), qual, t.toString());
            } finally {
                if (timeout != null) {
                    timeout.cancel(false);
                }
                running.decrementAndGet();
                self.current = null;
            }
            boolean report;
            synchronized (this) {
                report = state == RUNNING;
                state = OVER;
                runner = null;
            }
            Thread.interrupted(); // an interrupt meant for this job must not reach the next one
            if (report) {
                ticket.finished(outcome, System.nanoTime() - startNanos);
            }
        }

        private void timeOut() {
            synchronized (this) {
                if (state != RUNNING) {
                    return;
                }
                state = OVER;
                runner.interrupt();
            }
            log.warn("job {} '{}' ran past the job timeout and was interrupted", service.key(), qual);
            ticket.finished(JobOutcome.TIMED_OUT, System.nanoTime() - startNanos);
        }

        /** Ends the job as abandoned if it is not over yet; returns whether it was. */
        boolean abandon(String how) {
            synchronized (this) {
                if (state == OVER) {
                    return false;
                }
                if (runner != null) {
                    runner.interrupt();
                }
                state = OVER;
            }
            log.warn("drain deadline passed, job abandoned ({}): service={} qual={}", how, service.key(), qual);
            ticket.finished(JobOutcome.ABANDONED, 0);
            return true;
        }
    }
}
