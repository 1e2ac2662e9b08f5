package io.dispatchd.server.pipeline;

import io.dispatchd.protocol.codec.AckEncoder;
import io.dispatchd.protocol.codec.RequestDecoder;
import io.dispatchd.server.config.ServerConfig;
import io.dispatchd.server.dispatch.Dispatcher;
import io.dispatchd.server.metrics.ByteCounter;
import io.dispatchd.server.security.ServerSecurity;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;

import java.util.concurrent.TimeUnit;

/**
 * The request pipeline, top to bottom as bytes flow in:
 * <pre>
 *   tls         SslHandler                 per channel  with --tls-cert-file: TLS 1.2/1.3 (else:)
 *   foreign     ForeignProtocol            per channel  plaintext: a TLS handshake closes at once; leaves after the first read
 *   bytes       ByteCounter                shared       counts bytes in and out
 *   idle        IdleTimeoutHandler         per channel  reports a connection idle for --idle-timeout
 *   decoder     RequestDecoder             per channel  bytes → Request | Quit | BadRequest, a line each (at most --max-line)
 *   ack-encoder AckEncoder                 per channel  Ack → its byte; acks between flushes go out as one buffer
 *   flush       FlushConsolidationHandler  per channel  one flush per read batch or burst of completions
 *   auth        AuthGate                   per channel  with --auth-token-file: the first line must be AUTH token; then it leaves
 *   dispatch    DispatchHandler            per channel  request → job; acks back in order
 *   exceptions  ExceptionHandler           shared       what nobody handled closes the connection
 * </pre>
 * The connection limit is checked first, before any of these is added: a connection over it gets
 * a pipeline of one handler that answers {@code !} and closes.
 */
public final class DispatchServerInitializer extends ChannelInitializer<SocketChannel> {

    public static final String TLS = "tls";
    public static final String FOREIGN = "foreign";
    public static final String AUTH = "auth";
    public static final String BYTES = "bytes";
    public static final String IDLE = "idle";
    public static final String DECODER = "decoder";
    public static final String ACK_ENCODER = "ack-encoder";
    public static final String FLUSH = "flush";
    public static final String DISPATCH = "dispatch";
    public static final String EXCEPTIONS = "exceptions";
    public static final String OVER_LIMIT = "over-limit";

    private static final RateLimitedLog OVER_LIMIT_LOG = new RateLimitedLog(
            org.slf4j.LoggerFactory.getLogger(DispatchServerInitializer.class), 10, TimeUnit.SECONDS);

    private final ServerConfig config;
    private final Dispatcher dispatcher;
    private final ConnectionLimit connections;
    private final ChannelGroup openChannels;
    private final ByteCounter byteCounter;
    private final ServerSecurity security;

    public DispatchServerInitializer(ServerConfig config, Dispatcher dispatcher, ConnectionLimit connections,
                                     ChannelGroup openChannels, ServerSecurity security) {
        this.security = security;
        this.config = config;
        this.dispatcher = dispatcher;
        this.connections = connections;
        this.openChannels = openChannels;
        this.byteCounter = new ByteCounter(dispatcher.metrics());
    }

    /** Flushes held while a read is in progress go out at its end; outside reads, once per event-loop pass. */
    public static FlushConsolidationHandler newFlushConsolidation() {
        return new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (!connections.tryAcquire()) {
            dispatcher.metrics().connectionRejected();
            OVER_LIMIT_LOG.warn("connection from {} refused: --max-connections are open", ch.remoteAddress());
            p.addLast(OVER_LIMIT, OverLimitHandler.INSTANCE);
            return;
        }
        ch.closeFuture().addListener(f -> connections.release());
        openChannels.add(ch);
        if (security.tls() != null) {
            p.addLast(TLS, security.tls().newHandler(ch.alloc()));
        } else {
            p.addLast(FOREIGN, new ForeignProtocol(dispatcher.metrics()));
        }
        p.addLast(BYTES, byteCounter);
        if (!config.idleTimeout().isZero()) {
            p.addLast(IDLE, new IdleTimeoutHandler(config.idleTimeout()));
        }
        p.addLast(DECODER, new RequestDecoder(config.maxLineBytes()));
        p.addLast(ACK_ENCODER, new AckEncoder());
        p.addLast(FLUSH, newFlushConsolidation());
        if (security.authTokens() != null) {
            p.addLast(AUTH, new AuthGate(security.authTokens(), dispatcher.metrics()));
        }
        p.addLast(DISPATCH, dispatcher.newHandler());
        p.addLast(EXCEPTIONS, ExceptionHandler.INSTANCE);
    }
}
