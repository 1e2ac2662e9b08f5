package io.dispatchd.server.pipeline;

import io.dispatchd.server.metrics.DispatchMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * First on a plaintext port: a connection whose first bytes are a TLS handshake record (a client
 * configured for TLS, at the wrong port or at a server without TLS) is closed at once, counted and
 * logged, instead of waiting for a line that never comes. After the first read it leaves the
 * pipeline: it costs nothing per request. HTTP is caught per line, by the parser
 * ({@code BadRequest.HTTP}); the log for both is here.
 */
public final class ForeignProtocol extends ChannelInboundHandlerAdapter {

    public static final RateLimitedLog HTTP_LOG =
            new RateLimitedLog(LoggerFactory.getLogger(ForeignProtocol.class), 10, TimeUnit.SECONDS);
    private static final RateLimitedLog TLS_LOG =
            new RateLimitedLog(LoggerFactory.getLogger(ForeignProtocol.class), 10, TimeUnit.SECONDS);
    /** A TLS record of type handshake (22) starts every ClientHello, followed by version major 3. */
    private static final byte HANDSHAKE = 0x16;
    private static final byte TLS_MAJOR = 0x03;

    private final DispatchMetrics metrics;

    ForeignProtocol(DispatchMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.pipeline().remove(this);
        if (msg instanceof ByteBuf in && looksLikeTls(in)) {
            ReferenceCountUtil.release(msg);
            metrics.lookedLikeTls();
            TLS_LOG.warn("connection from {} closed: looks like TLS on a plaintext port", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private static boolean looksLikeTls(ByteBuf in) {
        int i = in.readerIndex();
        return in.readableBytes() >= 2 && in.getByte(i) == HANDSHAKE && in.getByte(i + 1) == TLS_MAJOR;
    }
}
