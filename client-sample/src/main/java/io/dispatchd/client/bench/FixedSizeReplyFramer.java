package io.dispatchd.client.bench;

import io.netty.buffer.ByteBuf;

/** Replies of exactly {@code size} bytes each. */
final class FixedSizeReplyFramer implements ReplyFramer {

    private final int size;
    private final PrefixMatcher matcher;
    private int seen;

    FixedSizeReplyFramer(int size, byte[] expect) {
        this.size = size;
        this.matcher = new PrefixMatcher(expect);
    }

    @Override
    public void read(ByteBuf in, ReplySink sink) {
        while (in.isReadable()) {
            matcher.accept(in.readByte());
            if (++seen == size) {
                seen = 0;
                sink.reply(matcher.endOfReply());
            }
        }
    }
}
