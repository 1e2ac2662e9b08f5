package io.dispatchd.client.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-connection driver over an {@link EmbeddedChannel}: window, budget, counting, finishing. */
@Timeout(10)
class BenchConnectionHandlerTest {

    private static final ByteBuf[] REQUESTS = {
            Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("a 88\n", StandardCharsets.US_ASCII).asReadOnly()),
            Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("zz 88\n", StandardCharsets.US_ASCII).asReadOnly())};

    @Test
    void closedLoopKeepsTheWindowFullSpendsTheBudgetThenFinishes() {
        BenchStats stats = new BenchStats(5);
        AtomicInteger finished = new AtomicInteger();
        BenchConnectionHandler handler = new BenchConnectionHandler(REQUESTS, 3, 0, stats, new AckReplyFramer(),
                finished::incrementAndGet);
        EmbeddedChannel channel = new EmbeddedChannel(handler);

        handler.start(RequestBudget.ofCount(System.nanoTime() - 1, 5), 0);

        assertThat(drainOutbound(channel)).isEqualTo("a 88\nzz 88\na 88\n"); // the window: 3
        channel.writeInbound(ack("+"));
        assertThat(drainOutbound(channel)).isEqualTo("zz 88\n"); // one reply, one more request
        channel.writeInbound(ack("?+"));
        assertThat(drainOutbound(channel)).isEqualTo("a 88\n"); // budget of 5: only one left
        assertThat(finished).hasValue(0);

        channel.writeInbound(ack("?+"));

        assertThat(finished).hasValue(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(stats.measuredByKind()).containsExactly(3, 0, 2, 0, 0);
        assertThat(stats.sent()).isEqualTo(5);
        assertThat(stats.unanswered()).isZero();
        assertThat(channel.finish()).as("every request read, every reply consumed").isFalse();
    }

    @Test
    void warmUpRepliesAreNotCounted() {
        BenchStats stats = new BenchStats(5);
        BenchConnectionHandler handler = new BenchConnectionHandler(REQUESTS, 1, 0, stats, new AckReplyFramer(), () -> { });
        EmbeddedChannel channel = new EmbeddedChannel(handler);

        handler.start(RequestBudget.ofCount(System.nanoTime() + 60_000_000_000L, 5), 0); // measuring starts in 60 s
        channel.writeInbound(ack("+"));
        channel.writeInbound(ack("+"));

        assertThat(stats.warmupReplies()).isEqualTo(2);
        assertThat(stats.measuredByKind()).containsOnly(0);
        assertThat(drainOutbound(channel)).as("a window of 1: one request, then one per reply").isEqualTo("a 88\nzz 88\na 88\n");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aServerThatClosesLeavesItsInFlightRequestsUnanswered() {
        BenchStats stats = new BenchStats(5);
        AtomicInteger finished = new AtomicInteger();
        BenchConnectionHandler handler = new BenchConnectionHandler(REQUESTS, 4, 0, stats, new AckReplyFramer(),
                finished::incrementAndGet);
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        handler.start(RequestBudget.ofCount(System.nanoTime() - 1, 100), 0);

        channel.close();

        assertThat(finished).hasValue(1);
        assertThat(stats.unanswered()).isEqualTo(4);
        assertThat(stats.errors()).singleElement().asString().contains("closed by the server with 4 requests in flight");
        assertThat(drainOutbound(channel)).as("the window: 4").isEqualTo("a 88\nzz 88\na 88\nzz 88\n");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aReplyWithNoRequestInFlightEndsTheConnectionWithAHint() {
        BenchStats stats = new BenchStats(5);
        BenchConnectionHandler handler = new BenchConnectionHandler(REQUESTS, 1, 0, stats, new AckReplyFramer(), () -> { });
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        handler.start(RequestBudget.ofCount(System.nanoTime() - 1, 1), 0);

        channel.writeInbound(ack("++"));

        assertThat(channel.isOpen()).isFalse();
        assertThat(stats.errors()).singleElement().asString().contains("is --reply right");
        assertThat(drainOutbound(channel)).isEqualTo("a 88\n");
        assertThat(channel.finish()).as("the extra reply consumed, not left unread").isFalse();
    }

    private static ByteBuf ack(String acks) {
        return Unpooled.copiedBuffer(acks, StandardCharsets.US_ASCII);
    }

    private static String drainOutbound(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return out.toString();
    }
}
