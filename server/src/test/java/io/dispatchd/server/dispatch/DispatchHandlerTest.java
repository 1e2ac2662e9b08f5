package io.dispatchd.server.dispatch;

import io.dispatchd.protocol.codec.AckEncoder;
import io.dispatchd.protocol.codec.RequestDecoder;
import io.dispatchd.server.pipeline.DispatchServerInitializer;
import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.executor.JobIds;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.executor.Refusal;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.service.LetterService;
import io.dispatchd.server.service.ServiceRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Dispatch and ack ordering without a socket: an EmbeddedChannel and an admission the test drives. */
class DispatchHandlerTest {

    private static final Duration BACKPRESSURE = Duration.ofMillis(50);

    private final ScriptedAdmission admission = new ScriptedAdmission();
    private Dispatcher dispatcher;
    private EmbeddedChannel channel;
    private DispatchMetrics metrics;

    private void open(AckMode mode, int maxInFlight) {
        open(mode, maxInFlight, BACKPRESSURE);
    }

    private void open(AckMode mode, int maxInFlight, Duration backpressure) {
        ServiceRegistry services = ServiceRegistry.of(LetterService.builtIns());
        metrics = new DispatchMetrics(services, mode);
        dispatcher = new Dispatcher(services, metrics, new JobIds(), admission, mode, maxInFlight, backpressure);
        channel = new EmbeddedChannel(new RequestDecoder(64),
                new AckEncoder(), DispatchServerInitializer.newFlushConsolidation(), dispatcher.newHandler());
    }

    @AfterEach
    void close() {
        assertThat(channel.finishAndReleaseAll()).as("every ack read, no line left undecoded").isFalse();
    }

    private void send(String lines) {
        channel.writeInbound(Unpooled.copiedBuffer(lines, StandardCharsets.UTF_8));
    }

    private String acks() {
        channel.runPendingTasks();
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void acceptModeAcksEveryLineAtOnceInOrder() {
        open(AckMode.ACCEPT, 16);
        send("a 88\nzz 1\n\nB 12\nbad\n" + "c " + "x".repeat(80) + "\nd 37\n");
        assertThat(acks()).isEqualTo("+?+??+");
        assertThat(admission.offers).extracting(o -> o.job().service() + " " + o.job().qual())
                .containsExactly("a 88", "b 12", "d 37");
        assertThat(answered("a", "ok")).isEqualTo(1);
        assertThat(answered(DispatchMetrics.UNKNOWN_SERVICE, "bad_request")).isEqualTo(1);
        assertThat(answered(DispatchMetrics.MALFORMED, "bad_request")).isEqualTo(2);
    }

    private double answered(String service, String ack) {
        return metrics.registry().get("dispatchd.requests").tag("service", service).tag("ack", ack).counter().count();
    }

    @Test
    void fullQueueAnswersBusyAndOffersNothingFurther() {
        open(AckMode.ACCEPT, 16);
        admission.refuseWith = Refusal.QUEUE_FULL;
        send("a 1\nb 2\n");
        assertThat(acks()).isEqualTo("!!");
        assertThat(admission.offers).isEmpty();
    }

    @Test
    void refusalInCompleteModeIsAlsoBusy() {
        open(AckMode.COMPLETE, 16);
        admission.refuseWith = Refusal.DRAINING;
        send("a 1\n");
        assertThat(acks()).isEqualTo("!");
    }

    @Test
    void completeModeAcksInRequestOrderWhateverOrderJobsFinish() {
        open(AckMode.COMPLETE, 16);
        send("a 1\nb 2\nzz 3\nc 4\n");
        assertThat(acks()).as("nothing is due while the first job runs").isEmpty();

        admission.offers.get(1).finish(JobOutcome.OK);
        assertThat(acks()).as("b finished, but a is still owed first").isEmpty();

        admission.offers.get(0).finish(JobOutcome.FAILED);
        assertThat(acks()).as("a, then b, then the bad line queued behind them").isEqualTo("-+?");

        admission.offers.get(2).finish(JobOutcome.TIMED_OUT);
        assertThat(acks()).isEqualTo("-");
        assertThat(answered("a", "failed")).isEqualTo(1);
        assertThat(answered("c", "failed")).isEqualTo(1);
        assertThat(metrics.registry().get("dispatchd.jobs.completed").tag("service", "b").tag("outcome", "ok")
                .counter().count()).isEqualTo(1);
        assertThat(metrics.registry().get("dispatchd.jobs.timed.out").tag("service", "c").counter().count())
                .isEqualTo(1);
    }

    @Test
    void badLineWithNothingOwedIsAnsweredAtOnceInCompleteMode() {
        open(AckMode.COMPLETE, 16);
        send("zz 1\n");
        assertThat(acks()).isEqualTo("?");
    }

    @Test
    void quitWritesTheAcksOwedThenClosesAndIgnoresLaterLines() {
        open(AckMode.COMPLETE, 16);
        send("a 1\nquit\nb 2\n");
        assertThat(channel.isOpen()).isTrue();
        assertThat(admission.offers).hasSize(1);

        admission.offers.get(0).finish(JobOutcome.OK);
        assertThat(acks()).isEqualTo("+");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void quitWithNothingOwedClosesAtOnce() {
        open(AckMode.ACCEPT, 16);
        send("a 1\nQUIT\n");
        assertThat(acks()).isEqualTo("+");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void stopsReadingWhileMaxInFlightAcksAreOwed() {
        open(AckMode.COMPLETE, 2);
        send("a 1\n");
        assertThat(channel.config().isAutoRead()).isTrue();
        send("a 2\n");
        assertThat(channel.config().isAutoRead()).isFalse();

        admission.offers.get(0).finish(JobOutcome.OK);
        assertThat(acks()).isEqualTo("+");
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void acksAlreadyKnownButQueuedBehindAJobCountTowardsMaxInFlight() {
        open(AckMode.COMPLETE, 3);
        send("a 1\n"); // its job runs; every answer after it waits for it
        send("zz 2\n");
        assertThat(channel.config().isAutoRead()).isTrue();
        send("zz 3\n"); // a third owed, though known: a client sending bad lines must not grow the FIFO
        assertThat(channel.config().isAutoRead()).isFalse();

        admission.offers.get(0).finish(JobOutcome.OK);
        assertThat(acks()).isEqualTo("+??");
        assertThat(channel.config().isAutoRead()).isTrue();

        send("a 4\n");
        admission.refuseWith = Refusal.DRAINING; // refused at once, behind a running job
        send("a 5\n");
        send("a 6\n");
        assertThat(channel.config().isAutoRead()).isFalse();
        admission.offers.get(1).finish(JobOutcome.OK);
        assertThat(acks()).isEqualTo("+!!");
    }

    /** An accept-mode connection whose admission is nearly full, on a clock that moves only when told. */
    private void openNearlyFull() {
        open(AckMode.ACCEPT, 16);
        channel.freezeTime();
        admission.nearlyFull = true;
    }

    /** The admission has room again and calls back, as a worker would; the hop to the event loop runs. */
    private void roomAgain() {
        admission.nearlyFull = false;
        admission.roomAgain();
        channel.runPendingTasks();
    }

    @Test
    void nearlyFullQueueStopsReadingUntilItHasRoomAgain() {
        openNearlyFull();
        send("a 1\nb 2\n");
        assertThat(acks()).as("lines already read are still dispatched").isEqualTo("++");
        assertThat(channel.config().isAutoRead()).isFalse();
        assertThat(admission.waitingForRoom).hasSize(1);

        roomAgain();
        assertThat(channel.config().isAutoRead()).isTrue();

        // A second wait, begun before the first one's deadline would have passed: that deadline
        // was cancelled when room came, so it must not end the second wait early.
        channel.advanceTimeBy(BACKPRESSURE.toNanos() / 2, TimeUnit.NANOSECONDS);
        admission.nearlyFull = true;
        send("a 3\n");
        assertThat(channel.config().isAutoRead()).isFalse();
        channel.advanceTimeBy(BACKPRESSURE.toNanos() * 3 / 4, TimeUnit.NANOSECONDS); // past the first deadline
        channel.runScheduledPendingTasks();
        assertThat(channel.config().isAutoRead()).as("the cancelled first deadline changes nothing").isFalse();
        channel.advanceTimeBy(BACKPRESSURE.toNanos() / 4, TimeUnit.NANOSECONDS); // the second one
        channel.runScheduledPendingTasks();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(acks()).as("a 3 was admitted").isEqualTo("+");
    }

    @Test
    void aConnectionClosedWhileWaitingForRoomStopsWaiting() {
        openNearlyFull();
        send("a 1\n");
        RoomWaiters loopWaiters = dispatcher.roomWaiters(channel.eventLoop());
        assertThat(loopWaiters.waiting()).isEqualTo(1);
        channel.close();
        assertThat(loopWaiters.waiting()).as("a closed connection waits for nothing").isZero();
        assertThat(admission.waitingForRoom).as("the event loop's one callback may stay; it is one per loop").hasSize(1);
        assertThat(acks()).isEqualTo("+");
    }

    @Test
    void theIdleTimerDoesNotCloseAConnectionLeftUnreadForBackpressure() {
        openNearlyFull();
        send("a 1\n");
        assertThat(acks()).isEqualTo("+");
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).as("the client may have sent lines we have not read").isTrue();

        roomAgain();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(acks()).as("nothing more was written before the close").isEmpty();
    }

    @Test
    void aQueueStuckNearlyFullIsReadAgainAfterTheBackpressureTimeAndNeverHoldsTwoCallbacks() {
        openNearlyFull();
        send("a 1\n");
        assertThat(channel.config().isAutoRead()).isFalse();

        channel.advanceTimeBy(BACKPRESSURE.toNanos() - 1, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.config().isAutoRead()).isFalse();
        channel.advanceTimeBy(1, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.config().isAutoRead()).as("read again: a full queue answers '!' from here").isTrue();

        admission.refuseWith = Refusal.QUEUE_FULL;
        send("a 2\n");
        assertThat(acks()).isEqualTo("+!");
        assertThat(channel.config().isAutoRead()).isFalse();
        assertThat(admission.waitingForRoom).as("one callback for the event loop, however often its connections wait").hasSize(1);
        assertThat(metrics.registry().get("dispatchd.backpressure").counter().count()).isEqualTo(2);

        roomAgain();
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void withoutBackpressureANearlyFullQueueChangesNothing() {
        open(AckMode.ACCEPT, 16, Duration.ZERO);
        admission.nearlyFull = true;
        send("a 1\n");
        assertThat(acks()).isEqualTo("+");
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(admission.waitingForRoom).isEmpty();
    }

    @Test
    void idleConnectionClosesOnlyWhenNothingIsOwed() {
        open(AckMode.COMPLETE, 16);
        send("a 1\n");
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).as("an ack is owed").isTrue();

        admission.offers.get(0).finish(JobOutcome.OK);
        assertThat(acks()).isEqualTo("+");
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        channel.runPendingTasks(); // the closing flush, consolidated to the end of the loop's pass
        assertThat(channel.isOpen()).isFalse();
        assertThat(acks()).as("nothing more was written before the close").isEmpty();
    }

    @Test
    void aLineReadWhileTheIdleCloseWaitsForItsWriteIsNotAdmitted() {
        open(AckMode.ACCEPT, 16);
        channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg); // a client reading nothing: no write completes, so no close
            }
        });
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).as("closing, behind the unsent writes").isTrue();
        send("a 1\n"); // its job must not run: its ack would go out after the close
        assertThat(admission.offers).isEmpty();
    }

    @Test
    void inputShutdownWritesTheAcksOwedThenCloses() {
        open(AckMode.COMPLETE, 16);
        send("a 1\n");
        channel.pipeline().fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
        assertThat(channel.isOpen()).as("an ack is still owed").isTrue();
        admission.offers.get(0).finish(JobOutcome.OK);
        assertThat(acks()).isEqualTo("+");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void serverStoppingClosesOnceOwedAcksAreWritten() {
        open(AckMode.COMPLETE, 16);
        send("a 1\n");
        channel.pipeline().fireUserEventTriggered(ServerStopping.INSTANCE);
        send("b 2\n");
        assertThat(channel.isOpen()).isTrue();
        admission.offers.get(0).finish(JobOutcome.OK);
        assertThat(acks()).isEqualTo("+");
        assertThat(channel.isOpen()).isFalse();
        assertThat(admission.offers).as("lines after the close began are not run").hasSize(1);
    }
}
