package io.dispatchd.protocol.codec;

import io.dispatchd.protocol.BadRequest;
import io.dispatchd.protocol.Command;
import io.dispatchd.protocol.RequestParser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Server side, inbound: bytes become {@link Command}s, one per line ending in LF (a CR right
 * before the LF is dropped); blank lines become nothing.
 *
 * <p><b>Why framing and parsing are one handler.</b> Each line is parsed where it lies in the
 * received bytes: no slice per line, no reference counting per line, no second handler to pass
 * it through. A {@code LineBasedFrameDecoder} in front of a line parser costs about twice as much
 * per request (JMH {@code CodecBenchmark}), which at a million requests a
 * second is a visible share of an event loop. Netty's own Redis and memcache decoders are built
 * the same way.
 *
 * <p><b>Long lines.</b> A line longer than {@code maxLineBytes} (LF and CR excluded) is dropped as
 * its bytes arrive, so at most {@code maxLineBytes + 1} bytes of an unfinished line are ever held;
 * once its LF arrives it is reported as {@link BadRequest#TOO_LONG} in its place among the other
 * lines, and the connection goes on. Bytes after the last LF when the connection ends are not a
 * line and yield nothing.
 *
 * <p>One instance per channel: it holds the bytes of the line being received.
 */
public final class RequestDecoder extends ByteToMessageDecoder {

    private final int maxLineBytes;
    /** Inside a line already known to be too long: its bytes are dropped until its LF. */
    private boolean discarding;
    /** Bytes after the reader index already searched for an LF, so a slow line is not searched again. */
    private int searched;

    public RequestDecoder(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    /** Bytes received and not yet decoded: the unfinished line, never more than {@code maxLineBytes + 1}. */
    int heldBytes() {
        return internalBuffer().readableBytes();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = in.indexOf(start + searched, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            int held = in.readableBytes();
            if (discarding || held - 1 > maxLineBytes) { // - 1: the last byte may be the CR of a CRLF
                discarding = true;
                in.skipBytes(held);
                searched = 0;
            } else {
                searched = held;
            }
            return;
        }
        in.readerIndex(lf + 1);
        searched = 0;
        if (discarding) {
            discarding = false;
            out.add(BadRequest.TOO_LONG);
            return;
        }
        int end = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        if (end - start > maxLineBytes) {
            out.add(BadRequest.TOO_LONG);
            return;
        }
        Command command = RequestParser.parse(in, start, end);
        if (command != null) {
            out.add(command);
        }
    }
}
