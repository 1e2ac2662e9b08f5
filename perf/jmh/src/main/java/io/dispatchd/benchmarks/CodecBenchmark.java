package io.dispatchd.benchmarks;

import io.dispatchd.protocol.Command;
import io.dispatchd.protocol.RequestParser;
import io.dispatchd.protocol.codec.RequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The inbound codec, per request line {@code a 88}:
 * <ul>
 *   <li>{@link #parse}: {@link RequestParser#parse} alone on a pooled direct buffer holding one
 *       line, so its allocations are the {@code Request} and its {@code qual} {@code String};</li>
 *   <li>{@link #framerOnly16}: {@link LineBasedFrameDecoder} alone on an {@link EmbeddedChannel}
 *       fed one read of 16 pipelined lines (what the bare-Netty "floor" server pays);</li>
 *   <li>{@link #framerAndParser16}: that framer with {@link RequestParser} on each framed line
 *       behind it, as the server decoded requests before {@link RequestDecoder} did both;</li>
 *   <li>{@link #decoder16}: the server's {@link RequestDecoder}, framing and parsing in one pass,
 *       on the same 16-line read.</li>
 * </ul>
 * The 16-line benchmarks report per line ({@code @OperationsPerInvocation(16)}), so
 * {@code gc.alloc.rate.norm} is bytes allocated per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {

    static final int LINES = 16;

    private ByteBuf line;
    private ByteBuf batch;
    private EmbeddedChannel framerOnly;
    private EmbeddedChannel framerAndParser;
    private EmbeddedChannel decoder;

    @Setup(Level.Trial)
    public void setUp() {
        line = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        line.writeCharSequence("a 88", StandardCharsets.US_ASCII);
        batch = PooledByteBufAllocator.DEFAULT.directBuffer(LINES * 5);
        for (int i = 0; i < LINES; i++) {
            batch.writeCharSequence("a 88\n", StandardCharsets.US_ASCII);
        }
        framerOnly = new EmbeddedChannel(new LineBasedFrameDecoder(1024, true, false));
        framerAndParser = new EmbeddedChannel(new LineBasedFrameDecoder(1024, true, false), new ParseEachFrame());
        decoder = new EmbeddedChannel(new RequestDecoder(1024));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        framerOnly.finishAndReleaseAll();
        framerAndParser.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
        line.release();
        batch.release();
    }

    @Benchmark
    public Object parse() {
        return RequestParser.parse(line);
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void framerOnly16(Blackhole bh) {
        drain(framerOnly, bh);
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void framerAndParser16(Blackhole bh) {
        drain(framerAndParser, bh);
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void decoder16(Blackhole bh) {
        drain(decoder, bh);
    }

    /** The previous design's second handler: each framed line parsed, then released. */
    private static final class ParseEachFrame extends MessageToMessageDecoder<ByteBuf> {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf line, List<Object> out) {
            Command command = RequestParser.parse(line);
            if (command != null) {
                out.add(command);
            }
        }
    }

    /** One read of 16 lines in, every message out; frames are released as the server's handlers would. */
    private void drain(EmbeddedChannel ch, Blackhole bh) {
        ch.writeInbound(batch.retainedDuplicate());
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            bh.consume(msg);
            ReferenceCountUtil.release(msg);
        }
    }
}
