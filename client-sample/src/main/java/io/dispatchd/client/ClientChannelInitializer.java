package io.dispatchd.client;

import io.dispatchd.protocol.codec.AckDecoder;
import io.dispatchd.protocol.codec.RequestEncoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;

/**
 * The client pipeline, read top to bottom (inbound flows down, outbound up):
 * <pre>
 *   tls       SslHandler                 with TLS:     the server named host:port, its certificate checked
 *   flush     FlushConsolidationHandler  per channel:  many sendAsync calls, few write syscalls (and TLS records)
 *   acks      AckDecoder                 per channel:  byte -> Ack; a non-ack byte closes the connection
 *   auth      AuthHandler                with a token: writes AUTH token, takes its ack; then leaves
 *   requests  RequestEncoder             shared:       Request -> "a 88\n"
 *   matcher   AckMatchingHandler         per channel:  the FIFO that pairs acks with requests
 * </pre>
 */
final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {

    static final String TLS = "tls";
    static final String FLUSH = "flush";
    static final String ACKS = "acks";
    static final String AUTH = "auth";
    static final String REQUESTS = "requests";
    static final String MATCHER = "matcher";

    /** Flush at least every this many writes even while more are queued, to keep latency low. */
    private static final int FLUSH_AFTER_WRITES = 256;

    private final AckMatchingHandler matcher;
    private final ClientOptions options;
    private final ClientTls tls;
    private final AuthHandler auth;
    /** The connection's TLS handler, once made: connect() waits on its handshake. */
    private volatile SslHandler ssl;

    /**
     * @param tls  {@code null} for plain TCP
     * @param auth {@code null} when no token is sent
     */
    ClientChannelInitializer(AckMatchingHandler matcher, ClientOptions options, ClientTls tls, AuthHandler auth) {
        this.matcher = matcher;
        this.options = options;
        this.tls = tls;
        this.auth = auth;
    }

    /**
     * The TLS handler of the connection, made when the channel registered (before it connects);
     * kept here because a failed handshake may have emptied the pipeline by the time connect() asks.
     */
    SslHandler ssl() {
        return ssl;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (tls != null) {
            SslHandler handler = tls.newHandler(channel.alloc(), options.host(), options.port());
            handler.setHandshakeTimeoutMillis(options.connectTimeout().toMillis());
            pipeline.addLast(TLS, handler);
            ssl = handler;
        }
        pipeline.addLast(FLUSH, new FlushConsolidationHandler(FLUSH_AFTER_WRITES, true));
        pipeline.addLast(ACKS, new AckDecoder());
        if (auth != null) {
            pipeline.addLast(AUTH, auth);
        }
        pipeline.addLast(REQUESTS, RequestEncoder.INSTANCE);
        pipeline.addLast(MATCHER, matcher);
    }
}
