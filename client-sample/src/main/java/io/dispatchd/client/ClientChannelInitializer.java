package io.dispatchd.client;

import io.dispatchd.protocol.codec.AckDecoder;
import io.dispatchd.protocol.codec.RequestEncoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * The client pipeline, read top to bottom (inbound flows down, outbound up):
 * <pre>
 *   flush     FlushConsolidationHandler  per channel: many sendAsync calls, few write syscalls
 *   acks      AckDecoder                 per channel: byte -> Ack; a non-ack byte closes the connection
 *   requests  RequestEncoder             shared:      Request -> "a 88\n"
 *   matcher   AckMatchingHandler         per channel: the FIFO that pairs acks with requests
 * </pre>
 */
final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {

    static final String FLUSH = "flush";
    static final String ACKS = "acks";
    static final String REQUESTS = "requests";
    static final String MATCHER = "matcher";

    /** Flush at least every this many writes even while more are queued, to keep latency low. */
    private static final int FLUSH_AFTER_WRITES = 256;

    private final AckMatchingHandler matcher;

    ClientChannelInitializer(AckMatchingHandler matcher) {
        this.matcher = matcher;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(FLUSH, new FlushConsolidationHandler(FLUSH_AFTER_WRITES, true));
        pipeline.addLast(ACKS, new AckDecoder());
        pipeline.addLast(REQUESTS, RequestEncoder.INSTANCE);
        pipeline.addLast(MATCHER, matcher);
    }
}
