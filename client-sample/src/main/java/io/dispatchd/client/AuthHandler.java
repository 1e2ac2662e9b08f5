package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.CompletableFuture;

/**
 * Authenticates a connection before any request: writes {@code AUTH token} and takes the first
 * ack for itself, so the matcher behind it never sees it. On {@code +} it leaves the pipeline;
 * any other ack fails {@link #authenticate()} with {@link AuthenticationFailedException} (the
 * server closes the connection after a {@code ?}). One per connection.
 */
final class AuthHandler extends ChannelInboundHandlerAdapter {

    private final String address;
    private final byte[] authLine;
    private final CompletableFuture<Void> answered = new CompletableFuture<>();
    private ChannelHandlerContext ctx;

    AuthHandler(String address, String token) {
        this.address = address;
        this.authLine = AuthTokens.authLine(token);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Writes the AUTH line (once the connection and its TLS handshake are up). The future
     * completes when the server answers {@code +}, and fails with {@link AuthenticationFailedException}
     * on any other answer, or with {@link ConnectFailedException} when the connection ends first. Any thread.
     */
    CompletableFuture<Void> authenticate() {
        ctx.executor().execute(() -> ctx.writeAndFlush(Unpooled.wrappedBuffer(authLine)).addListener(f -> {
            if (!f.isSuccess()) {
                fail(f.cause());
            }
        }));
        return answered;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Ack ack) || answered.isDone()) {
            ctx.fireChannelRead(msg);
            return;
        }
        ctx.pipeline().remove(this); // later acks answer requests: the matcher's
        if (ack == Ack.OK) {
            answered.complete(null);
        } else {
            answered.completeExceptionally(new AuthenticationFailedException(address, ack.wire()));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
        ctx.fireExceptionCaught(cause); // the matcher closes the connection
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        answered.completeExceptionally(new ConnectFailedException(address,
                "the server closed the connection before it answered AUTH", null));
        ctx.fireChannelInactive();
    }

    private void fail(Throwable cause) {
        answered.completeExceptionally(new ConnectFailedException(address,
                "connection lost before the server answered AUTH: " + ClientTls.describe(cause), cause));
    }
}
