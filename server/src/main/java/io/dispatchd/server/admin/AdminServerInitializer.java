package io.dispatchd.server.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

import io.dispatchd.server.security.ServerTls;
import io.dispatchd.server.security.TokenFile;

import java.util.function.Supplier;

/**
 * The admin pipeline: TLS when the server has it → HTTP/1.1 codec → aggregation of small requests (a body is never needed,
 * so 8 KiB bounds it) → {@link AdminHandler}. Idle admin connections are dropped after 60 s.
 */
public final class AdminServerInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_REQUEST_BYTES = 8192;

    private final ChannelGroup connections;
    private final AdminHandler handler;
    private final ServerTls tls;

    /**
     * @param connections every admin connection joins it, so that the server can close them all when it stops
     * @param tls         HTTPS with the request port's certificate; {@code null}: HTTP
     * @param adminTokens bearer tokens every path but {@code /health} needs; {@code null}: none
     */
    public AdminServerInitializer(ChannelGroup connections, Supplier<String> metrics, Supplier<String> unhealthy, ServerTls tls,
                                  TokenFile adminTokens, Dashboard dashboard) {
        this.handler = new AdminHandler(metrics, unhealthy, adminTokens, dashboard);
        this.tls = tls;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch);
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
        }
        ch.pipeline()
                .addLast("read-timeout", new ReadTimeoutHandler(60))
                .addLast("http", new HttpServerCodec(4096, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES))
                .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast("admin", handler);
    }
}
