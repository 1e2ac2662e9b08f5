package io.dispatchd.server.pipeline;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Ticker;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Reports a connection idle, with Netty's {@link IdleStateEvent#ALL_IDLE_STATE_EVENT}, once nothing
 * has been read from it or written to it for the timeout, and again after each further timeout
 * that it stays idle. What to do about it is the dispatch handler's call.
 *
 * <p><b>Why not Netty's {@code IdleStateHandler}.</b> To see writes, it swaps each write's void
 * promise for a real one and adds a listener, so that it hears when the write completes. Unpipelined,
 * a connection writes once per request. At 100 000 such requests a second, that doubled the
 * server's heap per request (~420 B against ~210 B), and so its young collections. This handler
 * notes when a write is asked for instead, and passes the promise through as it came.
 *
 * <p>Bytes still going out count as traffic too, as completed writes do for
 * {@code IdleStateHandler}: a client that reads its acks slowly, so that reading from it has
 * stopped (backpressure) and no new ack is asked for, is not idle while its acks drain. Each check
 * compares the outbound buffer with what it held at the last one, as {@code IdleStateHandler}
 * does with {@code observeOutput}; that costs a few reads per timeout, not an object per write.
 * Subclassing {@code IdleStateHandler} to keep the void promises would not do: with
 * {@code observeOutput} it still reports the first idle timeout after any traffic whatever the
 * output did, and the dispatch handler would close that slow reader.
 */
public final class IdleTimeoutHandler extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private Ticker ticker;
    private long lastTraffic;
    private Future<?> check;
    /** The outbound buffer at the last check: its current message, bytes pending, progress on it. */
    private int lastCurrent;
    private long lastPending;
    private long lastProgress;

    public IdleTimeoutHandler(Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + timeout);
        }
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ticker = ctx.executor().ticker();
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Once per read batch, as IdleStateHandler does: the check only runs between batches.
        lastTraffic = ticker.nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastTraffic = ticker.nanoTime();
        ctx.write(msg, promise);
    }

    /** From when the connection is active: once added to an active one, or at channelActive. */
    private void start(ChannelHandlerContext ctx) {
        if (check != null) {
            return;
        }
        lastTraffic = ticker.nanoTime();
        outputMoved(ctx); // what the outbound buffer holds now is where the first check starts from
        schedule(ctx, timeoutNanos);
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
        }
        check = null;
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (check == null || !ctx.channel().isOpen()) {
            return;
        }
        if (outputMoved(ctx)) {
            lastTraffic = ticker.nanoTime();
        }
        long left = lastTraffic + timeoutNanos - ticker.nanoTime();
        if (left > 0) {
            schedule(ctx, left); // traffic since this check was set: wait out the rest from then
            return;
        }
        schedule(ctx, timeoutNanos);
        ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }

    /** Whether the outbound buffer has changed since the last check: bytes went out, or were queued. */
    private boolean outputMoved(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        if (out == null) {
            return false; // closed
        }
        int current = System.identityHashCode(out.current());
        long pending = out.totalPendingWriteBytes();
        long progress = out.currentProgress();
        boolean moved = current != lastCurrent || pending != lastPending || progress != lastProgress;
        lastCurrent = current;
        lastPending = pending;
        lastProgress = progress;
        return moved;
    }
}
