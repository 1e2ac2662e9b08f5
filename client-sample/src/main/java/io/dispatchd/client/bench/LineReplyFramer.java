package io.dispatchd.client.bench;

import io.netty.buffer.ByteBuf;

/** Replies that end with LF (Redis simple replies, beanstalkd): {@code :1\r\n}, {@code INSERTED 7\r\n}. */
final class LineReplyFramer implements ReplyFramer {

    private final PrefixMatcher matcher;

    LineReplyFramer(byte[] expect) {
        this.matcher = new PrefixMatcher(expect);
    }

    @Override
    public void read(ByteBuf in, ReplySink sink) {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (b == '\n') {
                sink.reply(matcher.endOfReply());
            } else {
                matcher.accept(b);
            }
        }
    }
}
