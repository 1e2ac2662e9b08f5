package io.dispatchd.server.pipeline;

import io.dispatchd.protocol.Ack;
import io.dispatchd.protocol.codec.AckEncoder;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** The whole pipeline of a connection over {@code --max-connections}: it gets {@code !} and is closed. */
@Sharable
final class OverLimitHandler extends ChannelInboundHandlerAdapter {

    static final OverLimitHandler INSTANCE = new OverLimitHandler();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(AckEncoder.wire(Ack.BUSY)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
