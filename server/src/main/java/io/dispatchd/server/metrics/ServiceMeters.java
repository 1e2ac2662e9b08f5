package io.dispatchd.server.metrics;

import io.dispatchd.protocol.Ack;
import io.dispatchd.server.executor.JobOutcome;
import io.micrometer.core.instrument.Counter;

/**
 * One service's meters, made once at startup: dispatch finds them once per request, and counting
 * is an increment on a meter it already holds, so the hot path takes no lock, makes no map lookup
 * by tags, and allocates nothing.
 */
public final class ServiceMeters implements AckCounter {

    /** By {@link Ack#ordinal()}; {@code null} for an ack this service's requests can never get. */
    private final Counter[] answered;
    private final Counter completedOk;
    private final Counter completedFailed;
    private final Counter timedOut;
    private final JobDurationHistogram duration;

    ServiceMeters(Counter[] answered, Counter completedOk, Counter completedFailed, Counter timedOut,
                  JobDurationHistogram duration) {
        this.answered = answered;
        this.completedOk = completedOk;
        this.completedFailed = completedFailed;
        this.timedOut = timedOut;
        this.duration = duration;
    }

    @Override
    public void answered(Ack ack) {
        Counter c = answered[ack.ordinal()];
        if (c != null) {
            c.increment();
        }
    }

    /** How long this service's jobs ran. */
    public JobDurationHistogram durations() {
        return duration;
    }

    /** Counts a finished job and how long it ran. */
    public void jobFinished(JobOutcome outcome, long runNanos) {
        if (outcome.succeeded()) {
            completedOk.increment();
        } else {
            completedFailed.increment();
            if (outcome == JobOutcome.TIMED_OUT) {
                timedOut.increment();
            }
        }
        if (outcome != JobOutcome.ABANDONED) {
            duration.record(runNanos);
        }
    }
}
