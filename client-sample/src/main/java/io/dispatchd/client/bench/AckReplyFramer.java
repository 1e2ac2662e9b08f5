package io.dispatchd.client.bench;

import io.dispatchd.protocol.Ack;
import io.netty.buffer.ByteBuf;

/**
 * dispatchd replies: each byte is one ack; its kind is the {@link Ack} ordinal, and a byte that
 * is no ack is kind {@link #OTHER} (counted, not fatal: the bench reports, it does not judge).
 */
final class AckReplyFramer implements ReplyFramer {

    static final int OTHER = Ack.values().length;

    @Override
    public void read(ByteBuf in, ReplySink sink) {
        while (in.isReadable()) {
            Ack ack = Ack.fromWire(in.readByte());
            sink.reply(ack == null ? OTHER : ack.ordinal());
        }
    }
}
