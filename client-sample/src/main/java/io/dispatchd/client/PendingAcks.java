package io.dispatchd.client;

import io.dispatchd.protocol.Ack;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The requests written on one connection and not yet acked, oldest first. An ack carries no id:
 * the i-th ack answers the i-th request, so this FIFO is the only thing that matches them (as the
 * command stack in Lettuce's {@code CommandHandler}).
 *
 * <p>Bounded: a caller reserves a slot (on any thread) before its request is written, and the slot
 * is freed when the request leaves the FIFO, by its ack or by {@link #failAll}. A request that
 * timed out keeps its slot until its ack arrives, so a server that stopped answering cannot make
 * the FIFO grow. The FIFO itself is touched only on the connection's event loop; the reservation
 * is a semaphore, so no lock is shared with the I/O thread.
 */
final class PendingAcks {

    private final int capacity;
    private final Semaphore slots;
    private final ArrayDeque<CompletableFuture<Ack>> fifo;

    PendingAcks(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.slots = new Semaphore(capacity);
        this.fifo = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    int capacity() {
        return capacity;
    }

    /** Reserves a slot if one is free, at once. Any thread. */
    boolean tryReserve() {
        return slots.tryAcquire();
    }

    /** Waits up to {@code timeoutNanos} for a free slot. Any thread but the event loop. */
    boolean reserve(long timeoutNanos) throws InterruptedException {
        return slots.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Gives back a reserved slot whose request never entered the FIFO. */
    void unreserve() {
        slots.release();
    }

    /** Appends the future of a request just written, in a slot reserved before. Event loop only. */
    void add(CompletableFuture<Ack> ack) {
        fifo.addLast(ack);
    }

    /** Removes the oldest request and frees its slot; {@code null} when nothing is pending. Event loop only. */
    CompletableFuture<Ack> poll() {
        CompletableFuture<Ack> oldest = fifo.pollFirst();
        if (oldest != null) {
            slots.release();
        }
        return oldest;
    }

    /** Fails and removes every pending request; returns how many there were. Event loop only. */
    int failAll(Supplier<? extends Throwable> cause) {
        int failed = 0;
        CompletableFuture<Ack> next;
        while ((next = poll()) != null) {
            next.completeExceptionally(cause.get());
            failed++;
        }
        return failed;
    }

    /** Requests in the FIFO now. Event loop only. */
    int size() {
        return fifo.size();
    }
}
