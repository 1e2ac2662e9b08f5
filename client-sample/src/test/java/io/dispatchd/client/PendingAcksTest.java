package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bounded FIFO on its own, without a channel. */
@Timeout(10)
class PendingAcksTest {

    @Test
    void acksCompleteTheOldestRequestFirst() {
        PendingAcks pending = new PendingAcks(4);
        CompletableFuture<Ack> first = reserveAndAdd(pending);
        CompletableFuture<Ack> second = reserveAndAdd(pending);

        pending.poll().complete(Ack.BUSY);
        pending.poll().complete(Ack.OK);

        assertThat(first).isCompletedWithValue(Ack.BUSY);
        assertThat(second).isCompletedWithValue(Ack.OK);
        assertThat(pending.poll()).isNull();
    }

    @Test
    void slotsAreBoundedAndFreedWhenARequestLeavesTheFifo() {
        PendingAcks pending = new PendingAcks(2);
        reserveAndAdd(pending);
        reserveAndAdd(pending);

        assertThat(pending.tryReserve()).isFalse();
        pending.poll();
        assertThat(pending.tryReserve()).isTrue();
    }

    @Test
    void aTimedOutRequestKeepsItsSlotUntilItsAckArrives() {
        PendingAcks pending = new PendingAcks(1);
        CompletableFuture<Ack> timedOut = reserveAndAdd(pending);
        timedOut.completeExceptionally(new IllegalStateException("timed out"));

        assertThat(pending.tryReserve()).as("slot still held").isFalse();
        pending.poll().complete(Ack.OK); // the late ack: consumed in order, ignored
        assertThat(pending.tryReserve()).isTrue();
    }

    @Test
    void failAllFailsEveryPendingRequestAndFreesEverySlot() {
        PendingAcks pending = new PendingAcks(3);
        CompletableFuture<Ack> a = reserveAndAdd(pending);
        CompletableFuture<Ack> b = reserveAndAdd(pending);

        int failed = pending.failAll(() -> new IllegalStateException("gone"));

        assertThat(failed).isEqualTo(2);
        assertThatThrownBy(a::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(b::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(pending.size()).isZero();
        assertThat(pending.tryReserve() && pending.tryReserve() && pending.tryReserve()).isTrue();
    }

    private static CompletableFuture<Ack> reserveAndAdd(PendingAcks pending) {
        assertThat(pending.tryReserve()).isTrue();
        CompletableFuture<Ack> ack = new CompletableFuture<>();
        pending.add(ack);
        return ack;
    }
}
