package io.dispatchd.server.pipeline;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WARN for client mistakes (bad lines, connections over the limit) that a misbehaving client
 * cannot turn into a log flood: at most one line per interval, saying how many were held back.
 * No stack traces: the mistake is the client's, not ours.
 */
public final class RateLimitedLog {

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, long interval, TimeUnit unit) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
    }

    /** Logs {@code message} (an SLF4J pattern with one argument) unless one was logged within the interval. */
    public void warn(String message, Object arg) {
        if (!log.isWarnEnabled()) {
            return;
        }
        long now = System.nanoTime();
        long next = nextAllowed.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long held = suppressed.getAndSet(0);
        if (held > 0) {
            log.warn(message + " ({} more like it not logged)", arg, held);
        } else {
            log.warn(message, arg);
        }
    }
}
