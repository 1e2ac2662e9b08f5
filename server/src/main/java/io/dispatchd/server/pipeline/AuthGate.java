package io.dispatchd.server.pipeline;

import io.dispatchd.protocol.Ack;
import io.dispatchd.protocol.BadRequest;
import io.dispatchd.protocol.Request;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.security.TokenFile;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * With {@code --auth-token-file}: the first line of a connection must be {@code AUTH token} with
 * a token from the file. The right one is answered {@code +} and this handler leaves the pipeline
 * (every later line costs nothing here); anything else is answered {@code ?}, counted, logged
 * (rate-limited, with the peer's address, never the token) and the connection closes. An HTTP
 * line first is closed without an ack, as everywhere.
 */
final class AuthGate extends ChannelInboundHandlerAdapter {

    private static final RateLimitedLog FAILURES =
            new RateLimitedLog(LoggerFactory.getLogger(AuthGate.class), 10, TimeUnit.SECONDS);

    private final TokenFile tokens;
    private final DispatchMetrics metrics;
    private boolean refused;

    AuthGate(TokenFile tokens, DispatchMetrics metrics) {
        this.tokens = tokens;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg); // lines behind a refused first line: the connection is closing
            return;
        }
        if (msg == BadRequest.HTTP) {
            ctx.fireChannelRead(msg); // the dispatch handler hangs up on it
            return;
        }
        boolean isAuth = msg instanceof Request r && r.service().equals("auth");
        if (isAuth && tokens.matches(((Request) msg).qual())) {
            ctx.pipeline().remove(this);
            ctx.writeAndFlush(Ack.OK, ctx.voidPromise());
            return;
        }
        refused = true;
        ReferenceCountUtil.release(msg);
        metrics.authFailed();
        FAILURES.warn("connection from {} closed: " + (isAuth ? "wrong token" : "first line was not AUTH"),
                ctx.channel().remoteAddress());
        ctx.writeAndFlush(Ack.BAD_REQUEST).addListener(ChannelFutureListener.CLOSE);
    }
}
