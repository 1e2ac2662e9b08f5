package io.dispatchd.server.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

import io.dispatchd.server.security.TokenFile;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The admin endpoint's only handler. Read-only by construction: it answers GET and HEAD and
 * nothing it does changes the server.
 * <pre>
 *   GET /metrics   200, Prometheus text exposition 0.0.4
 *   GET /health    200 "serving" while serving; 503 "draining" once shutdown has begun, or 503 and
 *                  the reason while the journal cannot write
 *   GET /          200, the dashboard (HTML, with /dashboard.js and /dashboard.css)
 *   GET /stats     200, the dashboard's JSON snapshot; GET /events: the same as Server-Sent Events
 *   GET /api       200, the list of endpoints
 *   anything else  404; a method other than GET/HEAD: 405
 * With {@code --admin-token-file}, every path but {@code /health} first needs
 * {@code Authorization: Bearer TOKEN} (401 otherwise): health checkers need no secret.
 * </pre>
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String ENDPOINTS = """
            dispatchd admin:
              GET /          the dashboard (HTML)
              GET /stats     the dashboard's numbers, a JSON snapshot taken once a second
              GET /events    the same, pushed once a second (Server-Sent Events)
              GET /metrics   Prometheus text format
              GET /health    200 serving, 503 draining or unable to take jobs
              GET /api       this list
            """;
    private static final String PLAIN_TEXT = "text/plain; charset=utf-8";

    private final Supplier<String> metrics;
    private final Supplier<String> unhealthy;
    private final TokenFile tokens;
    private final Dashboard dashboard;

    AdminHandler(Supplier<String> metrics, Supplier<String> unhealthy, TokenFile tokens, Dashboard dashboard) {
        this.metrics = metrics;
        this.unhealthy = unhealthy;
        this.tokens = tokens;
        this.dashboard = dashboard;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response = respond(ctx, request);
        if (response == null) {
            return; // the connection is an event stream from now on
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (request.method().equals(HttpMethod.HEAD)) {
            response.content().clear();
        }
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** {@code null} when the connection became a stream; else why it did not. */
    private FullHttpResponse events(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.method().equals(HttpMethod.GET)) {
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, PLAIN_TEXT, "an event stream is GET only\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET");
            return r;
        }
        return dashboard.openStream(ctx) ? null : text(HttpResponseStatus.SERVICE_UNAVAILABLE, PLAIN_TEXT,
                Dashboard.MAX_STREAMS + " event streams are open already; poll /stats instead\n");
    }

    /** The response to {@code request}; {@code null} when {@code GET /events} made the connection a stream. */
    private FullHttpResponse respond(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return text(HttpResponseStatus.BAD_REQUEST, PLAIN_TEXT, "bad request\n");
        }
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, PLAIN_TEXT, "only GET and HEAD\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return r;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        StaticFile page = StaticFile.PAGES.get(path);
        if (page != null) {
            // the page, its script and its style hold no data: loadable without the token, which the page asks for
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(page.bytes()));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, page.contentType());
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            return r;
        }
        if (path.equals("/api")) {
            return text(HttpResponseStatus.OK, PLAIN_TEXT, ENDPOINTS);
        }
        if (tokens != null && !path.equals("/health") && !authorized(request)) {
            FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, PLAIN_TEXT, "Authorization: Bearer TOKEN needed\n");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"dispatchd\"");
            return r;
        }
        return switch (path) {
            case "/metrics" -> text(HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.get());
            case "/health" -> health();
            case "/stats" -> text(HttpResponseStatus.OK, "application/json", dashboard.stats().json());
            case "/events" -> events(ctx, request);
            default -> text(HttpResponseStatus.NOT_FOUND, PLAIN_TEXT, "not found\n");
        };
    }

    /** {@code Authorization: Bearer TOKEN} with a token of {@code --admin-token-file}. */
    private boolean authorized(FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return tokens.matches(header.substring(7).strip());
    }

    private FullHttpResponse health() {
        String why = unhealthy.get();
        return why == null
                ? text(HttpResponseStatus.OK, PLAIN_TEXT, "serving\n")
                : text(HttpResponseStatus.SERVICE_UNAVAILABLE, PLAIN_TEXT, why + "\n");
    }

    private static FullHttpResponse text(HttpResponseStatus status, String contentType, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
