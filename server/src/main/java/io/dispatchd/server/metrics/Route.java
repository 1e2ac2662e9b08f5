package io.dispatchd.server.metrics;

import io.dispatchd.protocol.Ack;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.service.Service;
import io.micrometer.core.instrument.Counter;

/**
 * Where a line goes, with the meters that count it, all made once at startup: dispatch looks up a
 * route per request and counting is an increment on a meter it already holds, so the hot path takes
 * no lock, makes no map lookup by tags, and allocates nothing.
 *
 * <p>Lines that reach no service share two fixed routes, {@link DispatchMetrics#UNKNOWN_SERVICE}
 * and {@link DispatchMetrics#MALFORMED}, so no client can grow the label set.
 */
public final class Route {

    private final Service service;
    private final Counter[] answered;
    private final Counter completedOk;
    private final Counter completedFailed;
    private final Counter timedOut;
    private final JobDurationHistogram duration;

    Route(Service service, Counter[] answered, Counter completedOk, Counter completedFailed,
          Counter timedOut, JobDurationHistogram duration) {
        this.service = service;
        this.answered = answered;
        this.completedOk = completedOk;
        this.completedFailed = completedFailed;
        this.timedOut = timedOut;
        this.duration = duration;
    }

    /** The service this route runs, or {@code null} for lines answered {@code ?}. */
    public Service service() {
        return service;
    }

    /** Counts an ack written for a line on this route. */
    public void answered(Ack ack) {
        answered[ack.ordinal()].increment();
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
