package io.dispatchd.protocol.codec;

import io.dispatchd.protocol.Ack;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

import java.nio.ByteBuffer;

/**
 * Server side, outbound: an {@link Ack} becomes its one byte.
 *
 * <p>Acks written between two flushes are gathered into one buffer and written as one message at
 * the flush: sixteen pipelined acks cost one outbound entry and one iovec instead of sixteen. The
 * buffer holds at most the acks of one read batch (the dispatch handler flushes after each), so it
 * is bounded by what one read can bring. A flush with a single ack (every request of an
 * unpipelined client) writes a view of a shared constant byte instead: no pooled buffer to
 * allocate, sample for leaks and release per request. An ack written with a real (non-void)
 * promise is written on its own, after the gathered ones, so the promise completes when its byte
 * is written. Other messages pass through in order. One instance per channel: it holds the
 * gathered acks.
 */
public final class AckEncoder extends ChannelOutboundHandlerAdapter {

    private static final int FIRST_BATCH_BYTES = 64;

    private static final ByteBuf[] WIRE = new ByteBuf[Ack.values().length];

    static {
        for (Ack ack : Ack.values()) {
            // Wrapped rather than allocated, so the leak detector does not track these constants:
            // in its paranoid mode every duplicate would record on one shared object from every loop.
            ByteBuffer one = ByteBuffer.allocateDirect(1).put(ack.wire()).flip();
            WIRE[ack.ordinal()] = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(one).asReadOnly());
        }
    }

    /** The one ack gathered since the last flush, while there is only one. */
    private Ack single;
    /** The acks gathered since the last flush, once there are two or more. */
    private ByteBuf gathered;

    /** A fresh one-byte view of {@code ack}, for writers that bypass this encoder. */
    public static ByteBuf wire(Ack ack) {
        return WIRE[ack.ordinal()].duplicate();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Ack ack && promise.isVoid()) {
            gather(ctx, ack);
            return;
        }
        writeGathered(ctx);
        ctx.write(msg instanceof Ack ack ? wire(ack) : msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        writeGathered(ctx);
        ctx.flush();
    }

    private void gather(ChannelHandlerContext ctx, Ack ack) {
        if (gathered != null) {
            gathered.writeByte(ack.wire());
        } else if (single == null) {
            single = ack;
        } else {
            gathered = ctx.alloc().ioBuffer(FIRST_BATCH_BYTES);
            gathered.writeByte(single.wire()).writeByte(ack.wire());
            single = null;
        }
    }

    private void writeGathered(ChannelHandlerContext ctx) {
        if (single != null) {
            Ack ack = single;
            single = null;
            ctx.write(wire(ack), ctx.voidPromise());
        } else if (gathered != null) {
            ByteBuf out = gathered;
            gathered = null;
            ctx.write(out, ctx.voidPromise());
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        single = null;
        if (gathered != null) {
            gathered.release();
            gathered = null;
        }
    }
}
