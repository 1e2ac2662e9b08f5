package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Matches each ack to the oldest pending request. Outbound, a {@link PendingRequest} has its
 * future appended to the {@link PendingAcks} FIFO and its request passed on to be encoded;
 * inbound, each {@link Ack} completes the head of the FIFO. When the connection ends, for any
 * reason, every request still pending fails with a {@link ConnectionClosedException} saying why.
 *
 * <p>One per connection (it holds the FIFO). Any I/O or protocol error closes the connection: once
 * a byte is lost or unexplained, later acks can no longer be matched to their requests.
 */
final class AckMatchingHandler extends ChannelDuplexHandler {

    private final String address;
    private final PendingAcks pending;
    private final Duration requestTimeout;

    /** Set by the client's close() before it closes the channel, read on the event loop. */
    private volatile boolean closingByClient;
    /** The first error seen on this connection: the reason given when pending requests fail. */
    private Throwable failure;
    /** Set once the connection is gone: from then on every write fails at once with this reason. */
    private volatile ConnectionClosedException closed;

    AckMatchingHandler(String address, PendingAcks pending, Duration requestTimeout) {
        this.address = address;
        this.pending = pending;
        this.requestTimeout = requestTimeout;
    }

    /** Why the connection ended, or {@code null} while it has not. Any thread. */
    ConnectionClosedException closedReason() {
        return closed;
    }

    /** Marks the coming close as the client's own, so pending requests fail with that reason. */
    void closingByClient() {
        closingByClient = true;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof PendingRequest request)) {
            ctx.write(msg, promise);
            return;
        }
        if (closed != null) {
            // the connection ended after the caller checked it: its slot was reserved, never used
            pending.unreserve();
            request.ack().completeExceptionally(closed);
            promise.setFailure(closed);
            return;
        }
        pending.add(request.ack());
        scheduleTimeout(ctx, request);
        ctx.write(request.request(), promise).addListener(f -> {
            if (!f.isSuccess()) {
                // bytes may be half written: no later ack could be trusted, so end the connection
                failConnection(ctx, f.cause());
            }
        });
    }

    private void scheduleTimeout(ChannelHandlerContext ctx, PendingRequest request) {
        ScheduledFuture<?> timeout = ctx.executor().schedule(
                () -> request.ack().completeExceptionally(new RequestTimeoutException(request.request(), requestTimeout)),
                requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        request.ack().whenComplete((ack, error) -> timeout.cancel(false));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Ack ack)) {
            ctx.fireChannelRead(msg);
            return;
        }
        var oldest = pending.poll();
        if (oldest == null) {
            failConnection(ctx, new DispatchClientException(
                    "the server sent ack '" + (char) ack.wire() + "' with no request pending"));
            return;
        }
        oldest.complete(ack); // no-op if it already timed out: the ack still used up its place
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failConnection(ctx, cause);
    }

    private void failConnection(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = closeReason();
        pending.failAll(this::closeReason);
        ctx.fireChannelInactive();
    }

    private ConnectionClosedException closeReason() {
        // A write still queued when the client's own close() ran fails with ClosedChannelException:
        // that is the close, seen from the write, not a second error.
        if (closingByClient && (failure == null || failure instanceof ClosedChannelException)) {
            return new ConnectionClosedException(
                    "connection to " + address + " closed by the client before the ack arrived", true, null);
        }
        if (failure != null) {
            return new ConnectionClosedException(
                    "connection to " + address + " lost before the ack arrived: " + failure, false, failure);
        }
        return new ConnectionClosedException(
                "connection to " + address + " closed by the server before the ack arrived", false, null);
    }
}
