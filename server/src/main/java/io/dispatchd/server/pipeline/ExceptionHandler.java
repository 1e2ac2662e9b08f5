package io.dispatchd.server.pipeline;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Last in the pipeline: whatever no handler dealt with closes the connection. Request-level
 * mistakes never get here (they are answered {@code ?} and the connection lives); what does is
 * a broken socket or a bug. Peer resets are routine and logged at DEBUG; anything else at ERROR.
 */
@Sharable
final class ExceptionHandler extends ChannelInboundHandlerAdapter {

    static final ExceptionHandler INSTANCE = new ExceptionHandler();

    private static final Logger log = LoggerFactory.getLogger(ExceptionHandler.class);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("{} closed by I/O error: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.error("{} closed after an unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
