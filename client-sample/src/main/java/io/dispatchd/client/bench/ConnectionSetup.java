package io.dispatchd.client.bench;

import io.dispatchd.client.AuthenticationFailedException;
import io.dispatchd.client.ClientTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;

import javax.net.ssl.SSLSession;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Readies one bench connection before the clock starts: waits for its TLS handshake (timing it,
 * for the handshake rate) and, with a token, sends {@code AUTH token} and takes the one-byte
 * answer. Then it leaves the pipeline, so the measured run goes through the same handlers as
 * without it (plus the {@link SslHandler}). One per connection, on its event loop; {@link #ready()}
 * tells the runner, on any thread, when the connection is ready or why it will never be.
 */
final class ConnectionSetup extends ChannelInboundHandlerAdapter {

    private final String address;
    private final byte[] authLine;
    private final long authTimeoutNanos;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    // written on the event loop before ready completes, read by the runner after: ready orders them
    private SslHandler ssl;
    private long handshakeStart;
    private long handshakeEnd;
    private SSLSession session;

    private boolean awaitingAuth;
    private ScheduledFuture<?> authTimeout;

    /**
     * @param address          {@code host:port}, for messages
     * @param authLine         {@code AUTH token\n}, or {@code null} to send none
     * @param authTimeoutNanos how long to wait for the answer to AUTH
     */
    ConnectionSetup(String address, byte[] authLine, long authTimeoutNanos) {
        this.address = address;
        this.authLine = authLine;
        this.authTimeoutNanos = authTimeoutNanos;
    }

    /** Completes when the connection is ready for the run; fails with a {@link BenchFailedException} saying why not. */
    CompletableFuture<Void> ready() {
        return ready;
    }

    /** When the TLS handshake began (nanoTime); meaningful once {@link #ready()} completed with TLS. */
    long handshakeStart() {
        return handshakeStart;
    }

    /** When the TLS handshake ended (nanoTime). */
    long handshakeEnd() {
        return handshakeEnd;
    }

    /** The TLS session, {@code null} without TLS. */
    SSLSession session() {
        return session;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            authenticate(ctx);
        } else {
            handshakeStart = System.nanoTime(); // the SslHandler ahead of this one has just sent its hello
            ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    handshakeEnd = System.nanoTime();
                    session = ssl.engine().getSession();
                    authenticate(ctx);
                } else {
                    fail(ctx, f.cause());
                }
            });
        }
        ctx.fireChannelActive();
    }

    private void authenticate(ChannelHandlerContext ctx) {
        if (ready.isDone()) {
            return;
        }
        if (authLine == null) {
            done(ctx);
            return;
        }
        awaitingAuth = true;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(authLine));
        authTimeout = ctx.executor().schedule(() -> fail(ctx, new BenchFailedException("no answer to AUTH from "
                + address + " within " + TimeUnit.NANOSECONDS.toMillis(authTimeoutNanos) + " ms", null)),
                authTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!awaitingAuth) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (!in.isReadable()) {
            in.release();
            return;
        }
        byte answer = in.readByte();
        awaitingAuth = false;
        authTimeout.cancel(false);
        if (answer != '+') {
            in.release();
            AuthenticationFailedException refused = new AuthenticationFailedException(address, answer);
            fail(ctx, new BenchFailedException(refused.getMessage(), refused));
            return;
        }
        done(ctx);
        if (in.isReadable()) {
            ctx.fireChannelRead(in); // a reply to nothing: the bench handler reports it
        } else {
            in.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ready.isDone()) {
            ctx.fireExceptionCaught(cause);
        } else {
            fail(ctx, cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // the run has not started on this connection: nothing behind this handler needs to know
        fail(ctx, new BenchFailedException(address + " closed the connection "
                + (awaitingAuth ? "before it answered AUTH" : ssl != null && handshakeEnd == 0
                ? "during the TLS handshake (does it speak TLS on this port?)" : "before the run"), null));
    }

    private void done(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
        ready.complete(null);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        if (ready.isDone()) {
            return;
        }
        if (authTimeout != null) {
            authTimeout.cancel(false);
        }
        BenchFailedException failure;
        if (cause instanceof BenchFailedException known) {
            failure = known;
        } else if (ssl != null && handshakeEnd == 0) {
            failure = new BenchFailedException("TLS handshake with " + address + " failed: " + ClientTls.describe(cause), cause);
        } else {
            failure = new BenchFailedException("connection to " + address + " lost before the run"
                    + (awaitingAuth ? " (waiting for the answer to AUTH): " : ": ") + ClientTls.describe(cause), cause);
        }
        ready.completeExceptionally(failure);
        ctx.close();
    }
}
