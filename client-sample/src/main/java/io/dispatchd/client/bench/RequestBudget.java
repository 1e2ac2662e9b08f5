package io.dispatchd.client.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides, for a request due at a given time, whether it is sent and whether it counts. Shared by
 * every connection; one atomic decrement per measured request in count mode, none in duration mode.
 *
 * <pre>
 *   due before measureStart            WARMUP    sent, not counted
 *   due in [measureStart, deadline)    MEASURED  sent and counted, while the count lasts
 *   due at or after the deadline       DONE      not sent: this connection stops sending
 * </pre>
 */
final class RequestBudget {

    static final int WARMUP = 0;
    static final int MEASURED = 1;
    static final int DONE = 2;

    private final long measureStart;
    private final long deadline;
    /** Whether the deadline applies (nanoTime may be anywhere in the long range: no sentinel value). */
    private final boolean bounded;
    private final AtomicLong remaining;

    private RequestBudget(long measureStart, long deadline, boolean bounded, long count) {
        this.measureStart = measureStart;
        this.deadline = deadline;
        this.bounded = bounded;
        this.remaining = new AtomicLong(count);
    }

    /** {@code count} measured requests after {@code measureStart} (nanoTime). */
    static RequestBudget ofCount(long measureStart, long count) {
        return new RequestBudget(measureStart, 0, false, count);
    }

    /** Every request due within {@code durationNanos} after {@code measureStart} (nanoTime). */
    static RequestBudget ofDuration(long measureStart, long durationNanos) {
        return new RequestBudget(measureStart, measureStart + durationNanos, true, Long.MAX_VALUE);
    }

    int claim(long dueNanos) {
        if (dueNanos - measureStart < 0) {
            return WARMUP;
        }
        if (bounded) {
            return dueNanos - deadline < 0 ? MEASURED : DONE; // duration mode: no shared counter
        }
        if (remaining.get() <= 0 || remaining.getAndDecrement() <= 0) {
            return DONE;
        }
        return MEASURED;
    }

    long measureStart() {
        return measureStart;
    }

    /** Whether the run has a deadline and {@code nowNanos} is past it: time to stop sending. */
    boolean expired(long nowNanos) {
        return bounded && nowNanos - deadline >= 0;
    }

    /** nanoTime of the end of a duration run (meaningful only when it has one). */
    long deadline() {
        return deadline;
    }
}
