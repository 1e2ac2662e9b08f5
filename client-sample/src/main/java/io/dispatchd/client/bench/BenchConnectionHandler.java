package io.dispatchd.client.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.TimeUnit;

/**
 * Drives one bench connection, entirely on its event loop (no locks, no allocation per request
 * beyond Netty's buffer duplicate). Requests are pre-encoded; replies are counted, never kept.
 *
 * <p>Closed loop ({@code intervalNanos == 0}): keep {@code window} requests in flight; each reply
 * makes room for the next, and latency runs from the actual send. Open loop (fixed rate): request
 * k is due at {@code firstDue + k * intervalNanos}; due requests are sent while the window has
 * room, and latency runs from when each was due, so time spent waiting for room counts too.
 *
 * <p>A small ring of due times (one per request in flight, in order) is all the state: replies
 * come back in request order, so the i-th reply belongs to the oldest entry.
 */
final class BenchConnectionHandler extends ChannelInboundHandlerAdapter implements ReplyFramer.ReplySink {

    private final ByteBuf[] requests;
    private RequestBudget budget;
    private final BenchStats stats;
    private final ReplyFramer framer;
    private final long intervalNanos;
    private final Runnable onFinished;

    // in-flight ring: due time and whether it counts, oldest at head
    private final long[] dueTimes;
    private final boolean[] measured;
    private int head;
    private int inFlight;

    private ChannelHandlerContext ctx;
    private int nextRequest;
    private long nextDue;
    private long readTime;
    private boolean sendingDone;
    private boolean timerArmed;
    private boolean unsolicitedReply;
    private boolean failed;
    private boolean finished;

    BenchConnectionHandler(ByteBuf[] requests, int window, long intervalNanos, BenchStats stats,
                           ReplyFramer framer, Runnable onFinished) {
        this.requests = requests;
        this.stats = stats;
        this.framer = framer;
        this.intervalNanos = intervalNanos;
        this.onFinished = onFinished;
        this.dueTimes = new long[window];
        this.measured = new boolean[window];
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Starts sending, on the event loop, once every connection is open: the budget (warm-up end,
     * deadline) is only known then. {@code firstDue} matters only at a fixed rate.
     */
    void start(RequestBudget budget, long firstDue) {
        this.budget = budget;
        nextDue = firstDue;
        fill();
    }

    /** Gives up: what is in flight counts as unanswered, what fell due and was not sent as missed. On the event loop. */
    void abort() {
        if (!finished) {
            stats.unanswered(inFlight);
            if (intervalNanos != 0 && !sendingDone && budget != null) {
                sendingDone = true;
                long now = System.nanoTime();
                countMissed(budget.expired(now) ? budget.deadline() : now);
            }
            finish();
        }
    }

    /** The first due time on this connection's grid at or after {@code time} (which is after nextDue). */
    private long firstDueFrom(long time) {
        long behind = time - nextDue;
        return nextDue + (behind + intervalNanos - 1) / intervalNanos * intervalNanos;
    }

    /**
     * Counts the measured requests due from {@code nextDue} up to (not including) {@code end} as
     * missed; those due during the warm-up are not counted, as they would not have been measured.
     */
    private void countMissed(long end) {
        long firstDue = nextDue - budget.measureStart() < 0 ? firstDueFrom(budget.measureStart()) : nextDue;
        long late = end - firstDue;
        if (late > 0) {
            stats.missed((late + intervalNanos - 1) / intervalNanos);
        }
    }

    private void fill() {
        if (finished || budget == null) { // null: not started yet
            return;
        }
        long now = System.nanoTime();
        int written = 0;
        if (intervalNanos != 0 && nextDue - budget.measureStart() < 0 && now - budget.measureStart() >= 0) {
            // the warm-up is over: its requests still waiting for room are dropped, not sent late
            // (they would not be measured, and would delay the measured ones behind them)
            nextDue = firstDueFrom(budget.measureStart());
        }
        if (intervalNanos != 0 && !sendingDone && budget.expired(now)) {
            // fixed rate, duration over: requests that fell due while the window was full are not
            // sent late (the run would overrun its duration) but reported as missed
            sendingDone = true;
            countMissed(budget.deadline());
        }
        while (!sendingDone && inFlight < dueTimes.length) {
            long due = intervalNanos == 0 ? now : nextDue;
            if (due - now > 0) {
                break; // fixed rate: not due yet
            }
            int claim = budget.claim(due);
            if (claim == RequestBudget.DONE) {
                sendingDone = true;
                break;
            }
            ctx.write(requests[nextRequest].duplicate(), ctx.voidPromise());
            nextRequest = nextRequest + 1 == requests.length ? 0 : nextRequest + 1;
            push(due, claim == RequestBudget.MEASURED);
            nextDue += intervalNanos;
            written++;
        }
        if (written > 0) {
            ctx.flush();
            stats.sent(written);
        }
        if (sendingDone && inFlight == 0) {
            finish();
        } else if (intervalNanos != 0 && !sendingDone && inFlight < dueTimes.length && !timerArmed) {
            timerArmed = true;
            ctx.executor().schedule(this::onTimer, nextDue - now, TimeUnit.NANOSECONDS);
        }
    }

    private void onTimer() {
        timerArmed = false;
        fill();
    }

    private void push(long due, boolean counts) {
        int tail = head + inFlight;
        if (tail >= dueTimes.length) {
            tail -= dueTimes.length;
        }
        dueTimes[tail] = due;
        measured[tail] = counts;
        inFlight++;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        readTime = System.nanoTime(); // one clock read per socket read, not per reply
        try {
            framer.read(in, this);
        } finally {
            in.release();
        }
        if (unsolicitedReply && !failed) {
            failed = true;
            stats.error("a reply with no request in flight: is --reply right for this server?");
            abort();
        }
    }

    @Override
    public void reply(int kind) {
        if (inFlight == 0) {
            unsolicitedReply = true;
            return;
        }
        stats.reply(kind, readTime - dueTimes[head], measured[head], readTime);
        head = head + 1 == dueTimes.length ? 0 : head + 1;
        inFlight--;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        fill(); // refill once per batch of replies: one flush for many requests
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!finished) {
            if (!failed) {
                stats.error(ctx.channel().remoteAddress() + ": closed by the server with " + inFlight + " requests in flight");
            }
            abort();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!failed) {
            failed = true;
            stats.error(ctx.channel().remoteAddress() + ": " + cause);
        }
        abort();
    }

    private void finish() {
        finished = true;
        onFinished.run();
        ctx.close();
    }
}
