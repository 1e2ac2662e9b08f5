package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import io.dispatchd.protocol.Request;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ack matcher over an EmbeddedChannel: how pending requests fail when the connection ends. */
class AckMatchingHandlerTest {

    /** Fails every write the way a channel that is being closed does. */
    private static final class ClosingChannelWrites extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new ClosedChannelException());
        }
    }

    @Test
    void writeFailingBecauseTheClientIsClosingReportsTheClientsClose() {
        PendingAcks pending = new PendingAcks(4);
        AckMatchingHandler matcher = new AckMatchingHandler("127.0.0.1:1", pending, Duration.ofSeconds(5));
        EmbeddedChannel ch = new EmbeddedChannel(new ClosingChannelWrites(), matcher);
        CompletableFuture<Ack> ack = new CompletableFuture<>();
        assertThat(pending.tryReserve()).isTrue();

        matcher.closingByClient();
        ch.writeAndFlush(new PendingRequest(Request.of("a", "1"), ack));
        ch.close();

        assertThatThrownBy(ack::join).cause().isInstanceOfSatisfying(ConnectionClosedException.class,
                e -> assertThat(e.closedByClient()).isTrue());
        assertThat(ch.finish()).as("the failed write left nothing behind").isFalse();
    }

    @Test
    void writeFailingWithoutTheClientClosingIsALostConnection() {
        PendingAcks pending = new PendingAcks(4);
        AckMatchingHandler matcher = new AckMatchingHandler("127.0.0.1:1", pending, Duration.ofSeconds(5));
        EmbeddedChannel ch = new EmbeddedChannel(new ClosingChannelWrites(), matcher);
        CompletableFuture<Ack> ack = new CompletableFuture<>();
        assertThat(pending.tryReserve()).isTrue();

        ch.writeAndFlush(new PendingRequest(Request.of("a", "1"), ack));

        assertThat(ch.isOpen()).isFalse();
        assertThatThrownBy(ack::join).cause().isInstanceOfSatisfying(ConnectionClosedException.class,
                e -> assertThat(e.closedByClient()).isFalse())
                .hasMessageContaining("lost before the ack arrived");
        assertThat(ch.finish()).as("the failed write left nothing behind").isFalse();
    }
}
