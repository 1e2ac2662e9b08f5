package io.dispatchd.protocol.codec;

import io.dispatchd.protocol.Ack;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;

import java.util.List;

/**
 * Client side, inbound: every byte is one {@link Ack}. A byte that is no ack means the stream
 * is not a dispatchd server (or is corrupted): a {@link CorruptedFrameException}, after which
 * the acks of this connection can no longer be matched to requests, so the client must close it.
 */
public final class AckDecoder extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            byte b = in.readByte();
            Ack ack = Ack.fromWire(b);
            if (ack == null) {
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException(String.format("not an ack byte: 0x%02X", b & 0xFF));
            }
            out.add(ack);
        }
    }
}
