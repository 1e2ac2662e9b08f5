package io.dispatchd.protocol.codec;

import io.dispatchd.protocol.BadRequest;
import io.dispatchd.protocol.Command;
import io.dispatchd.protocol.RequestParser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Server side, inbound: one framed line ({@link ByteBuf}, delimiter stripped) becomes one
 * {@link Command}; blank lines become nothing. Sits right after {@link #newLineFramer(int)}.
 *
 * <p>A line longer than the limit is discarded by the framer up to its LF, which then reports a
 * {@link TooLongFrameException} in the line's place in the stream; this decoder turns that into
 * {@link BadRequest#TOO_LONG} so the line is answered {@code ?} in order and the connection lives
 * on. Stateless, so one instance serves every channel.
 */
@Sharable
public final class RequestDecoder extends MessageToMessageDecoder<ByteBuf> {

    public static final RequestDecoder INSTANCE = new RequestDecoder();

    private RequestDecoder() {
        super(ByteBuf.class);
    }

    /**
     * The framer that goes in front: splits on LF, drops a CR right before it, and for a line
     * longer than {@code maxLineBytes} discards it to its LF and reports it once the LF is seen
     * (not fail-fast), so the report keeps the line's place among its neighbours.
     */
    public static LineBasedFrameDecoder newLineFramer(int maxLineBytes) {
        return new LineBasedFrameDecoder(maxLineBytes, true, false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf line, List<Object> out) {
        Command command = RequestParser.parse(line);
        if (command != null) {
            out.add(command);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            ctx.fireChannelRead(BadRequest.TOO_LONG);
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
