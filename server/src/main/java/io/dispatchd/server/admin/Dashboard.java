package io.dispatchd.server.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The live side of the dashboard: once a second it takes the {@link DashboardStats} sample and
 * pushes it to every open {@code GET /events} stream (Server-Sent Events), at most
 * {@value #MAX_STREAMS} of them; one more is answered 503 and can poll {@code /stats}. The sample
 * is taken once for all viewers, on the dashboard's own thread, whether anyone watches or not. A stream starts
 * with the whole history and then gets each second's rates; a viewer that does not read (its
 * connection not writable) misses seconds rather than making the server hold them for it.
 */
public final class Dashboard {

    static final int MAX_STREAMS = 16;

    private final DashboardStats stats;
    private final ChannelGroup streams = new DefaultChannelGroup("dispatchd-dashboard", GlobalEventExecutor.INSTANCE);
    private ScheduledFuture<?> ticks;
    private EventExecutor timer;

    public Dashboard(DashboardStats stats) {
        this.stats = stats;
    }

    /**
     * Takes a sample now and one every second on a thread of its own ({@code dispatchd-dashboard}):
     * not on an event loop, which would hold up the request connections it also serves.
     */
    public void start() {
        timer = new DefaultEventExecutor(new DefaultThreadFactory("dispatchd-dashboard", true));
        start(timer);
    }

    /** As {@link #start()}, on {@code executor} (a test's embedded loop). */
    void start(EventExecutor executor) {
        stats.sample();
        ticks = executor.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    public void stop() {
        if (ticks != null) {
            ticks.cancel(false);
        }
        if (timer != null) {
            timer.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
        streams.close();
    }

    DashboardStats stats() {
        return stats;
    }

    private void tick() {
        stats.sample();
        if (!streams.isEmpty()) {
            HttpContent event = new DefaultHttpContent(Unpooled.copiedBuffer(event(stats.latestJson()), StandardCharsets.UTF_8));
            streams.writeAndFlush(event, Channel::isWritable);
        }
    }

    private static String event(String json) {
        return "data: " + json + "\n\n";
    }

    /**
     * Turns this admin connection into an event stream: the response head, the latest sample at
     * once, then one a second. False when {@value #MAX_STREAMS} are open already.
     */
    synchronized boolean openStream(ChannelHandlerContext ctx) {
        if (streams.size() >= MAX_STREAMS) {
            return false;
        }
        if (ctx.pipeline().get("read-timeout") != null) {
            ctx.pipeline().remove("read-timeout"); // a stream is quiet from the client's side by design
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event(stats.json()), StandardCharsets.UTF_8)));
        streams.add(ctx.channel());
        return true;
    }
}
