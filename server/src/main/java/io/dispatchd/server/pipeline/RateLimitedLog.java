package io.dispatchd.server.pipeline;

import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WARN for client mistakes (bad lines, connections over the limit), or an ERROR for a failure
 * that repeats with every request (a journal that cannot write), that cannot turn into a log
 * flood: at most one line per interval, saying how many were held back. No stack traces.
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
        log(Level.WARN, message, arg);
    }

    /** As {@link #warn}, at ERROR. */
    public void error(String message, Object arg) {
        log(Level.ERROR, message, arg);
    }

    private void log(Level level, String message, Object arg) {
        if (!log.isEnabledForLevel(level)) {
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
            log.atLevel(level).log(message + " ({} more like it not logged)", arg, held);
        } else {
            log.atLevel(level).log(message, arg);
        }
    }
}
