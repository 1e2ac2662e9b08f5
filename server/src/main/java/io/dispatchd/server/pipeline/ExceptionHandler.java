package io.dispatchd.server.pipeline;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Last in the pipeline: whatever no handler dealt with closes the connection. Request-level
 * mistakes never get here (they are answered {@code ?} and the connection lives); what does is
 * a broken socket or a bug. Peer resets are routine and logged at DEBUG; a failed TLS handshake
 * (plain text on a TLS port, a refused certificate) is the client's mistake, at WARN, rate-limited,
 * without a stack trace; anything else at ERROR.
 */
@Sharable
final class ExceptionHandler extends ChannelInboundHandlerAdapter {

    static final ExceptionHandler INSTANCE = new ExceptionHandler();

    private static final Logger log = LoggerFactory.getLogger(ExceptionHandler.class);
    private static final RateLimitedLog TLS_MISTAKES = new RateLimitedLog(log, 10, TimeUnit.SECONDS);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        SSLException tls = tlsProblem(cause);
        if (tls != null) {
            // a client's mistake, not ours: plain text on a TLS port, a certificate refused, an old protocol
            TLS_MISTAKES.warn("connection closed: TLS failed: {}", ctx.channel().remoteAddress() + ": " + tls.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("{} closed by I/O error: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.error("{} closed after an unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    /** The TLS failure behind {@code cause} (the decoder wraps it), or {@code null}. */
    private static SSLException tlsProblem(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException e) {
                return e;
            }
        }
        return null;
    }
}
