package io.dispatchd.server.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

import java.util.function.Supplier;

/**
 * The admin pipeline: HTTP/1.1 codec → aggregation of small requests (a body is never needed,
 * so 8 KiB bounds it) → {@link AdminHandler}. Idle admin connections are dropped after 60 s.
 */
public final class AdminServerInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_REQUEST_BYTES = 8192;

    private final AdminHandler handler;

    public AdminServerInitializer(Supplier<String> metrics, Supplier<String> unhealthy) {
        this.handler = new AdminHandler(metrics, unhealthy);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("read-timeout", new ReadTimeoutHandler(60))
                .addLast("http", new HttpServerCodec(4096, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES))
                .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast("admin", handler);
    }
}
