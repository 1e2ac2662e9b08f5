package io.dispatchd.server.executor;

import io.dispatchd.server.service.ServiceContext;
import io.dispatchd.server.service.ServiceRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The in-memory {@link JobAdmission}: {@code --workers} threads ({@link WorkerPool}) behind a
 * bounded queue ({@link AdmissionGate}). When both are full a job is refused at once
 * ({@link Refusal#QUEUE_FULL}) and nothing is queued. Each job runs as a {@link JobRun}, which
 * also keeps {@code --job-timeout}.
 *
 * <p>Admission is two steps that a journal in front of this executor can hold apart:
 * {@link #reserve} a place, then {@link #admitReserved} the job into it (or {@link #unreserve}).
 * {@link #offer} does both at once.
 *
 * <p><b>Draining.</b> {@link #drain} refuses new jobs, lets admitted ones finish until the
 * deadline, then cuts off every job still unfinished and reports it.
 */
public final class BoundedJobExecutor implements JobAdmission {

    /** At the deadline, how long the drain gives workers to let go of jobs they hold and have not started. */
    private static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final AdmissionGate gate;
    private final WorkerPool pool;
    private final JobRunner runner;
    private final Object drainSignal = new Object();
    private volatile boolean draining;
    private volatile boolean terminated;

    /** As below, with {@code --max-running} equal to the workers: every job holds a thread (tests). */
    public BoundedJobExecutor(int workerCount, int queueCapacity, Duration jobTimeout,
                              ServiceRegistry services, ServiceContext context) {
        this(workerCount, workerCount, queueCapacity, jobTimeout, services, context);
    }

    /**
     * @param maxRunning jobs in progress at most, whether they hold a thread or wait on a stage;
     *                   never fewer than {@code workerCount}
     */
    public BoundedJobExecutor(int workerCount, int maxRunning, int queueCapacity, Duration jobTimeout,
                              ServiceRegistry services, ServiceContext context) {
        this(workerCount, WorkerThreads.PLATFORM, maxRunning, queueCapacity, jobTimeout, services, context);
    }

    /** As above, the workers on threads of this kind. */
    public BoundedJobExecutor(int workerCount, WorkerThreads threads, int maxRunning, int queueCapacity,
                              Duration jobTimeout, ServiceRegistry services, ServiceContext context) {
        this.gate = new AdmissionGate(queueCapacity, this::lookAgain);
        this.pool = new WorkerPool(workerCount, gate, this::lookAgain, threads);
        this.runner = new JobRunner(services, context, jobTimeout, Math.max(maxRunning, workerCount), this::lookAgain);
    }

    @Override
    public void start() {
        pool.start();
    }

    /** Wakes a worker at once if one is needed: a batch of one job. */
    @Override
    public void offer(Job job, JobTicket ticket) {
        Refusal refusal = gate.tryReserve();
        if (refusal != null) {
            ticket.refused(refusal);
            return;
        }
        pool.enqueue(new JobRun(job, ticket, runner));
        pool.wakeWorkerIfNoneSearching();
        ticket.admitted();
    }

    /** As {@link #offer}, but a needed wake-up is left to a task after the caller's batch. */
    @Override
    public void offer(Job job, JobTicket ticket, Executor afterBatch) {
        Refusal refusal = gate.tryReserve();
        if (refusal != null) {
            ticket.refused(refusal);
            return;
        }
        admitReserved(job, ticket, afterBatch);
    }

    /** Reserves a place for a job to be admitted later; {@code null} when reserved, else why not. */
    public Refusal reserve() {
        return gate.tryReserve();
    }

    /** Gives back a place {@link #reserve}d for a job that will not be admitted. */
    public void unreserve() {
        gate.release();
    }

    /**
     * Queues a job into the place {@link #reserve}d for it and tells its ticket it is admitted;
     * the wake-up it may need is left to {@code afterBatch} (a direct executor wakes at once).
     */
    public void admitReserved(Job job, JobTicket ticket, Executor afterBatch) {
        pool.enqueue(new JobRun(job, ticket, runner));
        pool.wakeAfterBatch(afterBatch);
        ticket.admitted();
    }

    @Override
    public boolean nearlyFull() {
        return gate.nearlyFull();
    }

    @Override
    public void callWhenRoom(Runnable onRoom) {
        gate.callWhenRoom(onRoom);
    }

    @Override
    public int queued() {
        return gate.reserved();
    }

    /** Jobs started and not over: on a worker, or waiting on their stage without one. */
    @Override
    public int running() {
        return runner.inProgress();
    }

    /** Jobs taken by a worker (started, or waiting for a {@code --max-running} permit) or waiting on a stage. */
    private int busy() {
        return pool.running() + runner.waiting();
    }

    @Override
    public void stopAdmitting() {
        draining = true;
        gate.close();
    }

    /** A job ended or a place was given back: a drain waiting for quiet looks again. */
    private void lookAgain() {
        if (draining) {
            synchronized (drainSignal) {
                drainSignal.notifyAll();
            }
        }
    }

    @Override
    public DrainReport drain(Duration deadline) throws InterruptedException {
        stopAdmitting();
        long end = System.nanoTime() + deadline.toNanos();
        synchronized (drainSignal) {
            long left;
            while (gate.reserved() + busy() > 0 && (left = end - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(drainSignal, left);
            }
        }
        List<DrainReport.CutOff> cutOff = new ArrayList<>();
        if (gate.reserved() + busy() > 0) {
            // Past the deadline. Order matters: mark it first, so a worker that takes a job from
            // now on cuts it off itself; then empty the queue; then cut off what workers hold.
            runner.passDeadline();
            // Until nothing is reserved, not merely until the queue looks empty: a place still
            // reserved is an offer between its reservation and the queue (it passed the second
            // look at `closed` just before the drain began), or a place about to be given back,
            // or a job a worker has just taken. Each is a few instructions from done.
            while (gate.reserved() > 0) {
                JobRun run = pool.poll();
                if (run == null) {
                    Thread.yield(); // let that thread finish, on this core if need be
                    continue;
                }
                gate.release();
                addIfCutOff(cutOff, run);
            }
            for (JobRun run : pool.current()) {
                addIfCutOff(cutOff, run);
            }
            for (JobRun run : runner.waitingRuns()) {
                addIfCutOff(cutOff, run);
            }
            // A worker that took a job just before the deadline, or waited for a permit through it,
            // cuts that job off itself in a moment; wait for that, so the report names it too.
            long settleBy = System.nanoTime() + SETTLE_NANOS;
            while (!pool.takenJobsSettled() && System.nanoTime() < settleBy) {
                Thread.yield();
            }
            cutOff.addAll(runner.takeCutOffByWorkers());
        }
        terminate();
        return new DrainReport(List.copyOf(cutOff), DrainReport.ABANDONED);
    }

    private static void addIfCutOff(List<DrainReport.CutOff> cutOff, JobRun run) {
        DrainReport.CutOff c = run.cutOff();
        if (c != null) {
            cutOff.add(c);
        }
    }

    private void terminate() {
        terminated = true;
        gate.openForGood(); // nobody waits on an executor that has stopped
        pool.terminate();
        runner.stop();
    }

    /** Waits for the workers to exit after {@link #drain}; a job ignoring its interrupt keeps its worker. */
    public boolean awaitWorkersExit(Duration timeout) throws InterruptedException {
        return pool.awaitExit(timeout);
    }

    @Override
    public void close() {
        if (!terminated) {
            try {
                drain(Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        terminate();
        try {
            awaitWorkersExit(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The pool, for tests that look at its parked workers. */
    Object workerBlocker() {
        return pool;
    }
}
