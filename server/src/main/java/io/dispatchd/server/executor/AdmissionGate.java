package io.dispatchd.server.executor;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound on jobs waiting for a worker: a place is reserved before a job is queued, so the bound
 * is exact ({@code --queue-capacity 1} means one), and given back when a worker takes the job or
 * when the job is not queued after all (a journal that could not write it).
 *
 * <p><b>Nearly full.</b> From three quarters of the capacity reserved, {@link #nearlyFull()} tells
 * callers to hold off; those waiting in {@link #callWhenRoom} are called back once the count is
 * down to half, by whichever thread brings it there. The gap between the two keeps a busy server
 * from flapping.
 *
 * <p><b>Closing.</b> After {@link #close} every reservation is refused
 * {@link Refusal#DRAINING}; a reservation racing with it either is refused or is counted by
 * whoever reads {@link #reserved()} after the close.
 */
final class AdmissionGate {

    private final int capacity;
    /** {@link #nearlyFull()} from this many reserved … */
    private final int nearlyFullAt;
    /** … and callers waiting for room are called back once it is down to this many. */
    private final int roomAgainAt;
    /** Called each time a place is given back while closed: a drain waiting for the count to fall. */
    private final Runnable onReleaseWhileClosed;

    private final AtomicInteger reserved = new AtomicInteger();
    /** Callers register once at a time; the dispatch layer registers one per event loop, not per connection. */
    private final ConcurrentLinkedQueue<Runnable> waitingForRoom = new ConcurrentLinkedQueue<>();
    /**
     * Entries in {@code waitingForRoom}, give or take those being added or taken right now: read on
     * every place given back, so it must be cheap. No waiter is missed because each side writes
     * first and reads the other's value second (see {@link #addWaiter}).
     */
    private final AtomicInteger waitingForRoomCount = new AtomicInteger();
    private volatile boolean closed;
    /** Nobody waits for room any more: every waiter is called at once. */
    private volatile boolean opened;

    AdmissionGate(int capacity, Runnable onReleaseWhileClosed) {
        this.capacity = capacity;
        this.nearlyFullAt = capacity - capacity / 4;
        this.roomAgainAt = capacity / 2;
        this.onReleaseWhileClosed = onReleaseWhileClosed;
    }

    /** Reserves a place; {@code null} when reserved, else why not. */
    Refusal tryReserve() {
        if (closed) {
            return Refusal.DRAINING;
        }
        if (reserved.incrementAndGet() > capacity) {
            release();
            return Refusal.QUEUE_FULL;
        }
        if (closed) {
            // The close came between the first look and the reservation. It writes `closed`
            // before it reads `reserved`, and this thread the reverse, so either it counts this
            // place (and waits for the job) or this second look sees it: never a job admitted
            // after a drain counted the queue empty.
            release();
            return Refusal.DRAINING;
        }
        return null;
    }

    /**
     * Gives back a place: its job was taken by a worker, or will not be queued. Whoever lowers the
     * count calls the waiters back if that made room, and tells a drain to look again.
     */
    void release() {
        int now = reserved.decrementAndGet();
        if (now <= roomAgainAt && waitingForRoomCount.get() > 0) {
            callWaitersForRoom();
        }
        if (closed) {
            onReleaseWhileClosed.run();
        }
    }

    int reserved() {
        return reserved.get();
    }

    int capacity() {
        return capacity;
    }

    boolean nearlyFull() {
        return reserved.get() >= nearlyFullAt;
    }

    void callWhenRoom(Runnable onRoom) {
        if (addWaiter(onRoom)) {
            callWaitersForRoom();
        }
    }

    /** Refuses every later reservation. */
    void close() {
        closed = true;
    }

    /** The executor has stopped: nobody waits on it, so every waiter is called now and later ones at once. */
    void openForGood() {
        opened = true;
        callWaitersForRoom();
    }

    /**
     * Puts a waiter in line and tells whether there is room now. It is added and counted before
     * {@code reserved} is read, while whoever lowers {@code reserved} does so before it reads the
     * count ({@link #release}): whichever comes second sees the other, so no waiter is missed.
     */
    private boolean addWaiter(Runnable waiter) {
        waitingForRoom.add(waiter);
        waitingForRoomCount.incrementAndGet();
        return roomNow();
    }

    private boolean roomNow() {
        return reserved.get() <= roomAgainAt || opened;
    }

    /**
     * Calls the waiters while there is room. Room is checked again after taking each one: a waiter
     * may have registered after this call began and after the queue filled again (the event loop
     * that was just called back reads, offers, and waits anew while this thread is still here),
     * and calling it then would let its connection read past a nearly full queue.
     */
    private void callWaitersForRoom() {
        Runnable r;
        while ((r = waitingForRoom.poll()) != null) {
            waitingForRoomCount.decrementAndGet();
            if (!roomNow()) {
                if (!addWaiter(r)) {
                    return;
                }
                continue; // back in line, but room came back meanwhile and whoever made it may have missed r
            }
            r.run();
        }
    }
}
