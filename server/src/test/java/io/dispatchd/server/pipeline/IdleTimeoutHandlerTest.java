package io.dispatchd.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdleTimeoutHandlerTest {

    /** Records the events that reach the end of the pipeline. */
    private static final class Events extends ChannelInboundHandlerAdapter {
        final List<Object> seen = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt);
        }
    }

    /** Sits between the socket and the idle handler: records the promise each write arrives with. */
    private static final class Promises extends ChannelOutboundHandlerAdapter {
        final List<ChannelPromise> seen = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            seen.add(promise);
            ctx.write(msg, promise);
        }
    }

    private final Events events = new Events();
    private final Promises promises = new Promises();
    private final IdleTimeoutHandler handler = new IdleTimeoutHandler(Duration.ofSeconds(1));
    private final EmbeddedChannel channel = new EmbeddedChannel();

    IdleTimeoutHandlerTest() {
        channel.freezeTime();
        channel.pipeline().addLast(promises, handler, events);
    }

    @AfterEach
    void nothingIsLeftInTheChannel() {
        assertThat(channel.finish()).as("every line read back and released").isFalse();
    }

    private void after(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    /** Asserts that the first idle report comes exactly {@code millis} from now, not a millisecond sooner. */
    private void firstReportIn(long millis) {
        after(millis - 1);
        assertThat(events.seen).as("a millisecond before").isEmpty();
        after(1);
        assertThat(events.seen).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }

    private static ByteBuf line() {
        return Unpooled.copiedBuffer(new byte[] {'a', ' ', '1', '\n'});
    }

    @Test
    void aSilentConnectionIsReportedIdleAfterTheTimeoutAndAgainAfterEachFurtherOne() {
        firstReportIn(1000);
        after(999);
        assertThat(events.seen).hasSize(1);
        after(1);
        assertThat(events.seen).hasSize(2);
    }

    @Test
    void aReadPutsTheReportOffUntilATimeoutAfterIt() {
        after(600);
        channel.writeInbound(line()); // channelRead, then channelReadComplete
        ((ByteBuf) channel.readInbound()).release();
        after(400);
        assertThat(events.seen).as("1 s after the start, 0.4 s after the read").isEmpty();
        firstReportIn(600);
    }

    @Test
    void aWritePutsTheReportOffAndKeepsItsVoidPromise() {
        after(700);
        channel.writeAndFlush(line(), channel.voidPromise());
        ((ByteBuf) channel.readOutbound()).release();
        assertThat(promises.seen).hasSize(1);
        assertThat(promises.seen.get(0).isVoid()).as("no promise and no listener made per write").isTrue();
        firstReportIn(1000);
    }

    @Test
    void acksStillGoingOutAreTrafficButAcksStuckAreNot() {
        after(100);
        channel.write(line()); // queued, not yet gone: as acks a slow reader has not taken
        channel.write(line());
        after(900);
        assertThat(events.seen).isEmpty();
        after(500);
        channel.flush(); // they go out, with no new write asked for (reading has stopped)
        after(500);
        assertThat(events.seen).as("2 s in: the output moved since the check at 1 s").isEmpty();
        firstReportIn(1000);
        releaseOutbound();

        channel.write(line()); // and this one never goes out
        after(1000);
        assertThat(events.seen).as("it was queued since the last check").hasSize(1);
        after(1000);
        assertThat(events.seen).as("stuck output is not traffic").hasSize(2);
        channel.flush();
        releaseOutbound();
    }

    @Test
    void theChannelActiveEventAfterTheHandlerWasAddedStartsNoSecondTimer() {
        channel.pipeline().fireChannelActive();
        after(1000);
        assertThat(events.seen).hasSize(1);
        after(1000);
        assertThat(events.seen).hasSize(2);
    }

    @Test
    void aRemovedHandlerReportsNothing() {
        channel.pipeline().remove(handler);
        after(5_000);
        assertThat(events.seen).isEmpty();
    }

    private void releaseOutbound() {
        for (Object m; (m = channel.readOutbound()) != null; ) {
            ((ByteBuf) m).release();
        }
    }

    @Test
    void aClosedConnectionIsNotReported() {
        channel.close();
        after(5_000);
        assertThat(events.seen).isEmpty();
    }

    @Test
    void aTimeoutMustBePositive() {
        assertThatThrownBy(() -> new IdleTimeoutHandler(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
