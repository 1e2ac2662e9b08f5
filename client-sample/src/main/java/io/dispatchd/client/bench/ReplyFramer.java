package io.dispatchd.client.bench;

import io.netty.buffer.ByteBuf;

/**
 * Splits a connection's inbound bytes into replies and says what kind each one is. Stateful (a
 * reply may span reads): one per connection. Never buffers a reply, only a few counters, so a
 * huge or endless reply cannot exhaust memory.
 */
public interface ReplyFramer {

    /** Receives each complete reply's kind, an index into {@link Workload#replyKeys()}. */
    @FunctionalInterface
    interface ReplySink {
        void reply(int kind);
    }

    /** Consumes every readable byte of {@code in}, reporting each reply completed on the way. */
    void read(ByteBuf in, ReplySink sink);
}
