package io.dispatchd.server.dispatch;

import io.dispatchd.protocol.Ack;
import io.dispatchd.protocol.BadRequest;
import io.dispatchd.protocol.Quit;
import io.dispatchd.protocol.Request;
import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.executor.Job;
import io.dispatchd.server.metrics.AckCounter;
import io.dispatchd.server.pipeline.ForeignProtocol;
import io.dispatchd.server.pipeline.RateLimitedLog;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection's dispatch: each {@link Request} goes to its service through the
 * {@link io.dispatchd.server.executor.JobAdmission}; each line's ack is written in the order the
 * lines arrived, whatever order jobs finish in.
 *
 * <p>The acks owed are a FIFO of {@link PendingAck}s; an ack is written only when every earlier
 * one has been. In accept mode admission answers at once, so the FIFO stays empty and acks are
 * written straight through. Each ack is written and flushed; the {@code FlushConsolidationHandler}
 * in front of this handler turns that into one flush per read batch, and one per burst of
 * completions arriving from workers.
 *
 * <p>Bounds: the server stops reading from the connection while it owes {@code maxInFlight} acks,
 * while the socket's outbound buffer is above its high water mark (a client that does not read
 * its acks), or, for at most {@code backpressure}, after it has added to a nearly full admission
 * queue; it resumes when all three clear. The last turns a burst that outruns the workers into
 * TCP backpressure instead of {@code !}s, while a queue stuck full still answers {@code !} soon.
 *
 * <p>When the client shuts down its side of the connection (half-close), and when the server shuts
 * down ({@link ServerStopping}), the acks still owed are written before the server closes, exactly
 * as for {@code QUIT}.
 *
 * <p>One instance per channel; every method runs on the channel's event loop.
 */
public final class DispatchHandler extends ChannelInboundHandlerAdapter {

    private static final RateLimitedLog CLIENT_MISTAKES =
            new RateLimitedLog(LoggerFactory.getLogger(DispatchHandler.class), 10, TimeUnit.SECONDS);

    private final Dispatcher dispatcher;
    private final boolean ackOnAdmission;
    private final ArrayDeque<PendingAck> owed = new ArrayDeque<>();
    private final long backpressureNanos;
    private final int maxInFlight;
    /** Handed to this event loop's {@link RoomWaiters}: run on the loop when the admission has room. */
    private final Runnable roomAgain = this::stopWaitingForRoom;
    private RoomWaiters roomWaiters;
    private ChannelHandlerContext ctx;
    private boolean closing;
    /** Whether this handler has turned auto-read off (it starts on). */
    private boolean readPaused;
    /** Not reading because the admission is nearly full; until room again or the backpressure time is up. */
    private boolean waitingForRoom;
    private ScheduledFuture<?> waitForRoomTimeout;

    DispatchHandler(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
        this.ackOnAdmission = dispatcher.ackMode() == AckMode.ACCEPT;
        this.backpressureNanos = dispatcher.backpressure().toNanos();
        this.maxInFlight = dispatcher.maxInFlight();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg); // lines after QUIT or during shutdown get no ack
        } else if (msg instanceof Request request) {
            dispatch(request);
        } else if (msg == BadRequest.HTTP) {
            closing = true;
            dispatcher.metrics().lookedLikeHttp();
            ForeignProtocol.HTTP_LOG.warn("connection from {} closed: looks like HTTP", ctx.channel().remoteAddress());
            ctx.close();
        } else if (msg instanceof BadRequest why) {
            CLIENT_MISTAKES.warn("bad request line: {}", why);
            answer(dispatcher.metrics().malformed(), Ack.BAD_REQUEST);
        } else if (msg == Quit.INSTANCE) {
            closeWhenSettled();
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void dispatch(Request request) {
        String key = request.service();
        int service = dispatcher.services().indexOf(key);
        if (service < 0) {
            CLIENT_MISTAKES.warn("request for an unknown service: {}", key);
            answer(dispatcher.metrics().unknownService(), Ack.BAD_REQUEST);
            return;
        }
        PendingAck pending = new PendingAck(this, dispatcher.metrics().service(service));
        owed.add(pending);
        Job job = new Job(dispatcher.jobIds().next(), key, request.qual(), 1);
        dispatcher.admission().offer(job, pending, ctx.executor());
        if (!waitingForRoom && backpressureNanos > 0 && dispatcher.admission().nearlyFull()) {
            waitForRoom();
        } else {
            stopReadingAtTheLimit();
        }
    }

    /**
     * One more owed can only stop reading, and only at the limit. Acks already known but waiting
     * behind a slower one count too: a client sending bad lines behind a long job must not grow
     * the FIFO without bound.
     */
    private void stopReadingAtTheLimit() {
        if (owed.size() >= maxInFlight) {
            updateAutoRead();
        }
    }

    /**
     * Stops reading until the admission has room again or {@code backpressure} has passed. Lines
     * already read are still dispatched; past the deadline reading resumes, and if the queue is
     * full then, those requests are answered {@code !} as usual.
     */
    private void waitForRoom() {
        dispatcher.metrics().backpressure();
        waitingForRoom = true;
        updateAutoRead();
        waitForRoomTimeout = ctx.executor().schedule(roomAgain, backpressureNanos, TimeUnit.NANOSECONDS);
        roomWaiters().add(roomAgain);
    }

    private RoomWaiters roomWaiters() {
        if (roomWaiters == null) {
            roomWaiters = dispatcher.roomWaiters(ctx.executor());
        }
        return roomWaiters;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (waitingForRoom) {
            roomWaiters().remove(roomAgain); // a closed connection waits for nothing
        }
        ctx.fireChannelInactive();
    }

    private void stopWaitingForRoom() {
        if (!waitingForRoom) {
            return;
        }
        waitingForRoom = false;
        roomWaiters().remove(roomAgain);
        waitForRoomTimeout.cancel(false);
        waitForRoomTimeout = null;
        updateAutoRead();
    }

    /** An ack known now: written at once if nothing is owed before it, else queued in its place. */
    private void answer(AckCounter counter, Ack ack) {
        if (owed.isEmpty()) {
            write(counter, ack);
        } else {
            owed.add(PendingAck.resolved(this, counter, ack));
            stopReadingAtTheLimit();
        }
    }

    /** Called on the event loop when {@code pending}'s ack is known; writes every ack now due. */
    void ackReady(PendingAck pending, Ack ack) {
        pending.ack = ack;
        PendingAck head;
        while ((head = owed.peek()) != null && head.ack != null) {
            owed.poll();
            write(head.counter, head.ack);
        }
        if (readPaused) {
            updateAutoRead(); // fewer owed can only let reading resume
        }
        if (closing && owed.isEmpty()) {
            closeNow();
        }
    }

    private void write(AckCounter counter, Ack ack) {
        counter.answered(ack);
        ctx.writeAndFlush(ack, ctx.voidPromise()); // consolidated by the FlushConsolidationHandler in front
    }

    /**
     * Stops reading and closes the connection once every ack owed is written: for {@code QUIT},
     * a half-close, an idle connection, and every connection when the server shuts down.
     */
    private void closeWhenSettled() {
        if (closing) {
            return; // already begun (QUIT, then a half-close or the drain): ackReady closes when settled
        }
        closing = true;
        updateAutoRead();
        if (owed.isEmpty()) {
            closeNow();
        }
    }

    /** Flushes whatever acks are written, then closes: no close path may drop an ack. */
    private void closeNow() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    /** Reads exactly while none of the reasons to stop holds; this handler alone turns reading off and on. */
    private void updateAutoRead() {
        boolean wanted = !closing && !waitingForRoom && owed.size() < maxInFlight && ctx.channel().isWritable();
        if (readPaused == wanted) {
            readPaused = !wanted;
            ctx.channel().config().setAutoRead(wanted);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt == ServerStopping.INSTANCE) {
            closeWhenSettled(); // the client has sent all it will, or the server takes no more: answer what is owed, then close
            return;
        }
        if (evt instanceof IdleStateEvent) {
            // Idle, nothing owed and not merely unread for backpressure (the client may have sent
            // lines we have not read): close; acks written but not yet flushed go out first.
            // Otherwise the timer simply fires again later.
            if (owed.isEmpty() && !waitingForRoom) {
                // As for QUIT: the close may wait behind acks a slow client has not read, and a line
                // read meanwhile must not start a job whose ack would go out after it.
                closeWhenSettled();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Whether acks are written on admission (accept mode) rather than on completion. */
    boolean ackOnAdmission() {
        return ackOnAdmission;
    }

    /** The event loop every method of this handler runs on. */
    EventExecutor executor() {
        return ctx.executor();
    }
}
