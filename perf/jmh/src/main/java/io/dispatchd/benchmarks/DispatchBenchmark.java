package io.dispatchd.benchmarks;

import io.dispatchd.protocol.Durations;
import io.dispatchd.protocol.Request;
import io.dispatchd.protocol.codec.AckEncoder;
import io.dispatchd.protocol.codec.RequestDecoder;
import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.config.ServerConfig;
import io.dispatchd.server.dispatch.Dispatcher;
import io.dispatchd.server.executor.BoundedJobExecutor;
import io.dispatchd.server.executor.DrainReport;
import io.dispatchd.server.executor.Job;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.executor.JobIds;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.executor.JobTicket;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.pipeline.DispatchServerInitializer;
import io.dispatchd.server.service.Engine;
import io.dispatchd.server.service.LetterService;
import io.dispatchd.server.service.ServiceContext;
import io.dispatchd.server.service.ServiceRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The dispatch path in accept mode, per request, on an {@link EmbeddedChannel} (the benchmark
 * thread plays the event loop): {@code DispatchHandler} looks the service up, makes a
 * {@code PendingAck}, offers the job, writes the ack through {@link AckEncoder} and flushes once
 * per read batch.
 *
 * <p>{@code admission}:
 * <ul>
 *   <li>{@code executor}: the real {@link BoundedJobExecutor} ({@code workers} threads, queue
 *       10000, engine iterations 0): the handoff to the pool and the worker wake-ups are in the
 *       measurement; workers run on the other core. If the pool falls behind, jobs are refused
 *       ({@code !}), counted in {@code busy};</li>
 *   <li>{@code inline}: a same-thread admission that admits every job without running it: the
 *       cost of the dispatch handler alone, so the difference is the executor handoff.</li>
 * </ul>
 * {@code dispatch1}: one request per read (an unpipelined client). {@code dispatch16}: 16 requests
 * per read. {@code decodeAndDispatch16}: bytes of 16 lines through framer, decoder and dispatch,
 * the server's whole inbound pipeline without the socket.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DispatchBenchmark {

    @Param({"executor", "inline"})
    public String admission;

    @Param({"64"})
    public int workers;

    private BoundedJobExecutor executor;
    private EmbeddedChannel dispatchOnly;
    private EmbeddedChannel wholePipeline;
    private ByteBuf batch;
    private final Object[] requests = new Object[CodecBenchmark.LINES];
    private final Request request = new Request("a", "88");

    /** Acks seen, by kind: JMH reports them per second next to the score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Acks {
        public long ok;
        public long busy;
        public long other;
    }

    @Setup(Level.Trial)
    public void setUp() {
        Engine engine = new Engine(0, Duration.ZERO);
        ServiceContext context = () -> engine;
        ServiceRegistry services = ServiceRegistry.of(LetterService.builtIns());
        JobAdmission jobs;
        if (admission.equals("executor")) {
            executor = new BoundedJobExecutor(workers, 10_000, Duration.ZERO, services, context);
            jobs = executor;
        } else {
            jobs = new InlineAdmission();
        }
        jobs.start();
        Dispatcher dispatcher = new Dispatcher(services, new DispatchMetrics(services, AckMode.ACCEPT), new JobIds(),
                jobs, AckMode.ACCEPT, 1024, Durations.parse(ServerConfig.DEFAULT_BACKPRESSURE));
        dispatchOnly = new EmbeddedChannel(new AckEncoder(), DispatchServerInitializer.newFlushConsolidation(),
                dispatcher.newHandler());
        wholePipeline = new EmbeddedChannel(new RequestDecoder(1024),
                new AckEncoder(), DispatchServerInitializer.newFlushConsolidation(), dispatcher.newHandler());
        batch = PooledByteBufAllocator.DEFAULT.directBuffer(CodecBenchmark.LINES * 5);
        for (int i = 0; i < CodecBenchmark.LINES; i++) {
            batch.writeCharSequence("a 88\n", StandardCharsets.US_ASCII);
            requests[i] = request;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        dispatchOnly.finishAndReleaseAll();
        wholePipeline.finishAndReleaseAll();
        batch.release();
        if (executor != null) {
            executor.drain(Duration.ofSeconds(5));
            executor.close();
        }
    }

    @Benchmark
    public void dispatch1(Acks acks) {
        dispatchOnly.writeInbound(request);
        readAcks(dispatchOnly, acks);
    }

    @Benchmark
    @OperationsPerInvocation(CodecBenchmark.LINES)
    public void dispatch16(Acks acks) {
        dispatchOnly.writeInbound(requests);
        readAcks(dispatchOnly, acks);
    }

    @Benchmark
    @OperationsPerInvocation(CodecBenchmark.LINES)
    public void decodeAndDispatch16(Acks acks) {
        wholePipeline.writeInbound(batch.retainedDuplicate());
        readAcks(wholePipeline, acks);
    }

    private static void readAcks(EmbeddedChannel ch, Acks acks) {
        Object out;
        while ((out = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) out;
            byte ack = b.getByte(b.readerIndex());
            if (ack == '+') {
                acks.ok++;
            } else if (ack == '!') {
                acks.busy++;
            } else {
                acks.other++;
            }
            ReferenceCountUtil.release(out);
        }
    }

    /** Admits every job at once and runs nothing: dispatch without the executor handoff. */
    private static final class InlineAdmission implements JobAdmission {
        @Override
        public void start() {
        }

        @Override
        public void offer(Job job, JobTicket ticket) {
            ticket.admitted();
            ticket.finished(JobOutcome.OK, 0);
        }

        @Override
        public void stopAdmitting() {
        }

        @Override
        public DrainReport drain(Duration deadline) {
            return DrainReport.none();
        }

        @Override
        public void close() {
        }

        @Override
        public int queued() {
            return 0;
        }

        @Override
        public int running() {
            return 0;
        }
    }
}
