package io.dispatchd.protocol.codec;

import io.dispatchd.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Client side, outbound: a {@link Request} becomes its line, {@code "a 88\n"} (key, one space,
 * qual in UTF-8, LF). A {@code Request} cannot hold a qual that breaks the line, so this never
 * fails. Stateless, so one instance serves every channel.
 */
@Sharable
public final class RequestEncoder extends MessageToByteEncoder<Request> {

    public static final RequestEncoder INSTANCE = new RequestEncoder();

    private RequestEncoder() {
        super(Request.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Request request, ByteBuf out) {
        out.writeCharSequence(request.service(), java.nio.charset.StandardCharsets.US_ASCII);
        out.writeByte(' ');
        ByteBufUtil.writeUtf8(out, request.qual());
        out.writeByte('\n');
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Request request, boolean preferDirect) {
        int size = request.service().length() + 2 + ByteBufUtil.utf8MaxBytes(request.qual());
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }
}
