package io.dispatchd.protocol.codec;

import io.dispatchd.protocol.Ack;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Server side, outbound: an {@link Ack} becomes its one byte. Each ack is a view of one shared,
 * never-freed buffer, so an ack costs no allocation of bytes and no copy. Other messages pass
 * through untouched. Stateless, so one instance serves every channel.
 */
@Sharable
public final class AckEncoder extends ChannelOutboundHandlerAdapter {

    public static final AckEncoder INSTANCE = new AckEncoder();

    private static final ByteBuf[] WIRE = new ByteBuf[Ack.values().length];

    static {
        for (Ack ack : Ack.values()) {
            WIRE[ack.ordinal()] = Unpooled.unreleasableBuffer(
                    Unpooled.directBuffer(1, 1).writeByte(ack.wire()).asReadOnly());
        }
    }

    private AckEncoder() {
    }

    /** A fresh one-byte view of {@code ack}, for writers that bypass this encoder. */
    public static ByteBuf wire(Ack ack) {
        return WIRE[ack.ordinal()].duplicate();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Ack ack) {
            ctx.write(wire(ack), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
