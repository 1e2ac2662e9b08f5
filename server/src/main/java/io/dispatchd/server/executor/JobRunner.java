package io.dispatchd.server.executor;

import io.dispatchd.server.service.ServiceContext;
import io.dispatchd.server.service.ServiceRegistry;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What every {@link JobRun} shares: where a job's service key leads, what the service is lent, the
 * timer for {@code --job-timeout} (a thread only when there is a timeout), and whether the drain
 * deadline has passed.
 */
final class JobRunner {

    private final ServiceRegistry services;
    private final ServiceContext context;
    private final long jobTimeoutNanos;
    private final ScheduledThreadPoolExecutor timer;
    private volatile boolean deadlinePassed;

    JobRunner(ServiceRegistry services, ServiceContext context, Duration jobTimeout) {
        this.services = services;
        this.context = context;
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
    }

    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
