package io.dispatchd.server.executor;

import java.util.concurrent.atomic.AtomicLong;

/** Hands out job ids: increasing, never reused while a journal holds jobs from an earlier run. */
public final class JobIds {

    private final AtomicLong next = new AtomicLong(1);

    public long next() {
        return next.getAndIncrement();
    }

    /** Makes every later id greater than {@code id}: a journal calls it for each job it recovers. */
    public void advancePast(long id) {
        next.accumulateAndGet(id + 1, Math::max);
    }
}
