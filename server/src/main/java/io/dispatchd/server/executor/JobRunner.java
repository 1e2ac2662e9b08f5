package io.dispatchd.server.executor;

import io.dispatchd.server.service.ServiceContext;
import io.dispatchd.server.service.ServiceRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What every {@link JobRun} shares: where a job's service key leads, what the service is lent, the
 * timer for {@code --job-timeout} (a thread only when there is a timeout), whether the drain
 * deadline has passed, the {@code --max-running} permits, and the jobs waiting on their stages
 * (holding no thread), which the drain must be able to find.
 */
final class JobRunner {

    private final ServiceRegistry services;
    private final ServiceContext context;
    private final long jobTimeoutNanos;
    private final ScheduledThreadPoolExecutor timer;
    private volatile boolean deadlinePassed;
    private final int maxRunning;
    private final Semaphore permits;
    private final Set<JobRun> waiting = ConcurrentHashMap.newKeySet();
    /** Jobs their own workers cut off at the drain deadline, for the drain's report. */
    private final Queue<DrainReport.CutOff> cutOffByWorkers = new ConcurrentLinkedQueue<>();
    private final Runnable onJobEnd;

    /**
     * @param maxRunning jobs in progress at most, threads or no threads
     * @param onJobEnd   called when a job waiting on its stage ends (a drain waiting for quiet)
     */
    JobRunner(ServiceRegistry services, ServiceContext context, Duration jobTimeout, int maxRunning, Runnable onJobEnd) {
        this.services = services;
        this.context = context;
        this.maxRunning = maxRunning;
        this.permits = new Semaphore(maxRunning);
        this.onJobEnd = onJobEnd;
        this.jobTimeoutNanos = jobTimeout.toNanos();
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

    ServiceRegistry services() {
        return services;
    }

    ServiceContext context() {
        return context;
    }

    /** Null without a timeout, or once the timer has stopped (the drain's deadline has cut the job off already). */
    ScheduledFuture<?> scheduleTimeout(JobRun run) {
        if (timer == null) {
            return null;
        }
        try {
            return timer.schedule(run::timeOut, jobTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    boolean deadlinePassed() {
        return deadlinePassed;
    }

    /** From now on a worker that takes a job cuts it off instead of running it. */
    void passDeadline() {
        deadlinePassed = true;
        permits.release(maxRunning); // a worker waiting for a permit goes on, finds its job cut off
    }

    void cutOffByWorker(DrainReport.CutOff c) {
        cutOffByWorkers.add(c);
    }

    /** What workers have cut off themselves so far; each once. */
    List<DrainReport.CutOff> takeCutOffByWorkers() {
        List<DrainReport.CutOff> taken = new ArrayList<>();
        for (DrainReport.CutOff c; (c = cutOffByWorkers.poll()) != null; ) {
            taken.add(c);
        }
        return taken;
    }

    /**
     * Waits for a {@code --max-running} permit; false when interrupted (the pool is stopping).
     * At the limit a worker waits here, with the job it took: the queue keeps the rest.
     */
    boolean startPermit() {
        if (permits.tryAcquire()) {
            return true;
        }
        try {
            permits.acquire();
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    void givePermitBack() {
        permits.release();
    }

    /** Jobs started and not over, on a worker or waiting on their stages. */
    int inProgress() {
        return Math.max(0, maxRunning - permits.availablePermits());
    }

    /** A job starts or stops waiting on its stage. */
    void waiting(JobRun run, boolean now) {
        if (now) {
            waiting.add(run);
        } else if (waiting.remove(run)) {
            onJobEnd.run();
        }
    }

    /** Jobs waiting on their stages: in progress, holding no thread. */
    int waiting() {
        return waiting.size();
    }

    /** Those jobs, for a drain at its deadline. */
    List<JobRun> waitingRuns() {
        return new ArrayList<>(waiting);
    }

    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
