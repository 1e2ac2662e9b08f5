package io.dispatchd.server.pipeline;

import java.util.concurrent.Semaphore;

/** Counts open request connections against {@code --max-connections}: a place per connection. */
public final class ConnectionLimit {

    private final int max;
    private final Semaphore places;

    public ConnectionLimit(int max) {
        this.max = max;
        this.places = new Semaphore(max);
    }

    /** Takes a place for a new connection; {@code false} if all are taken. */
    public boolean tryAcquire() {
        return places.tryAcquire();
    }

    public void release() {
        places.release();
    }

    public int open() {
        return max - places.availablePermits();
    }
}
