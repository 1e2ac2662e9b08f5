package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import io.dispatchd.protocol.Request;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection to a dispatchd server.
 *
 * <pre>{@code
 * try (DispatchClient client = DispatchClient.connect(ClientOptions.of("127.0.0.1", 7070))) {
 *     Ack ack = client.send("a", "88");                          // blocks: OK, BUSY, ...
 *     CompletableFuture<Ack> later = client.sendAsync("b", "12"); // pipelined
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of threads may send at once; acks come back in the order the
 * requests were written, which is the order the calls entered the connection. Every ack is a
 * value, {@code ?} and {@code !} included; failures are {@link DispatchClientException}s:
 * {@link ConnectFailedException} (TLS handshake failures included), {@link AuthenticationFailedException},
 * {@link ConnectionClosedException} (server closed, I/O error or {@link #close()}),
 * {@link RequestTimeoutException}, {@link TooManyPendingException}. A request the protocol forbids
 * throws {@link IllegalArgumentException} and is never sent.
 *
 * <p>With {@link ClientOptions#tls()} the connection speaks TLS and the server's certificate must
 * be valid for {@link ClientOptions#host()}; with {@link ClientOptions#token()} its first line is
 * {@code AUTH token}, whose ack {@link #connect} consumes: every ack a caller sees answers a request.
 *
 * <p>Each client owns one I/O thread (daemon, named {@code dispatchd-client-*}), released by {@link #close()}.
 */
public final class DispatchClient implements AutoCloseable {

    /** How long close() waits for the I/O thread to stop. */
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 2_000;

    private final ClientOptions options;
    private final EventLoopGroup group;
    private final Channel channel;
    private final PendingAcks pending;
    private final AckMatchingHandler matcher;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DispatchClient(ClientOptions options, EventLoopGroup group, Channel channel, PendingAcks pending,
                           AckMatchingHandler matcher) {
        this.options = options;
        this.group = group;
        this.channel = channel;
        this.pending = pending;
        this.matcher = matcher;
    }

    /**
     * Opens a connection, waiting at most {@link ClientOptions#connectTimeout()} for it and, with
     * {@link ClientOptions#tls()}, as long again for the TLS handshake; with a
     * {@link ClientOptions#token()}, then sends {@code AUTH token} and waits at most
     * {@link ClientOptions#requestTimeout()} for its {@code +}, which no request ever sees.
     *
     * @throws ConnectFailedException         naming {@code host:port} when the server cannot be reached, the TLS
     *                                        handshake fails (certificate not trusted, not for this host, ...) or
     *                                        the connection ends before the answer to AUTH
     * @throws AuthenticationFailedException  when the server does not accept the token
     * @throws IllegalArgumentException       when a file of {@link ClientOptions#tls()} cannot be used
     */
    public static DispatchClient connect(ClientOptions options) {
        ClientTls tls = options.tls() == null ? null : ClientTls.load(options.tls());
        PendingAcks pending = new PendingAcks(options.maxPending());
        AckMatchingHandler matcher = new AckMatchingHandler(options.address(), pending, options.requestTimeout());
        AuthHandler auth = options.token() == null ? null : new AuthHandler(options.address(), options.token());
        ClientChannelInitializer initializer = new ClientChannelInitializer(matcher, options, tls, auth);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("dispatchd-client", true), NioIoHandler.newFactory());
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .handler(initializer);
        ChannelFuture connected = bootstrap.connect(options.host(), options.port());
        try {
            connected.await();
            if (!connected.isSuccess()) {
                throw new ConnectFailedException(options.address(), ConnectFailedException.reason(connected.cause(),
                        options.connectTimeout()), connected.cause());
            }
            Channel channel = connected.channel();
            if (tls != null) {
                Future<Channel> handshake = initializer.ssl().handshakeFuture().await();
                if (!handshake.isSuccess()) {
                    throw new ConnectFailedException(options.address(),
                            "TLS handshake failed: " + ClientTls.describe(handshake.cause()), handshake.cause());
                }
            }
            if (auth != null) {
                authenticate(auth, options);
            }
            return new DispatchClient(options, group, channel, pending, matcher);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(connected, group);
            throw new ConnectFailedException(options.address(), "interrupted", e);
        } catch (RuntimeException e) {
            abandon(connected, group);
            throw e;
        }
    }

    /** Sends AUTH and waits for its answer: {@code +} returns, anything else throws. */
    private static void authenticate(AuthHandler auth, ClientOptions options) throws InterruptedException {
        try {
            auth.authenticate().get(options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (TimeoutException e) {
            throw new ConnectFailedException(options.address(),
                    "no answer to AUTH within " + options.requestTimeout().toMillis() + " ms", null);
        }
    }

    /** Gives up a connection attempt: closes what was opened and stops the I/O thread (without waiting). */
    private static void abandon(ChannelFuture connecting, EventLoopGroup group) {
        connecting.cancel(false);
        connecting.channel().close();
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Sends {@code WHICH QUAL} and blocks for its ack; see {@link #send(Request)}. */
    public Ack send(String which, String qual) {
        return send(new Request(which, qual));
    }

    /**
     * Sends one request and blocks until its ack arrives. When {@code maxPending} requests are
     * already in flight (from other threads) it first waits for a free slot: backpressure, within
     * the same {@link ClientOptions#requestTimeout()}.
     *
     * @return the ack, {@code ?} and {@code !} included
     * @throws DispatchClientException when no ack can come (closed, timed out, interrupted)
     * @throws IllegalStateException   when called on the client's own I/O thread (it would deadlock)
     */
    public Ack send(Request request) {
        if (channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("blocking send on the client's I/O thread would deadlock: use sendAsync");
        }
        try {
            if (!isOpen()) {
                throw closedReason();
            }
            if (!pending.reserve(options.requestTimeout().toNanos())) {
                throw new RequestTimeoutException(request, options.requestTimeout());
            }
            return write(request).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DispatchClientException("interrupted while waiting for the ack of '" + request.toLine().strip() + "'", e);
        } catch (ExecutionException | java.util.concurrent.CompletionException e) {
            throw unwrap(e.getCause());
        }
    }

    /** Sends {@code WHICH QUAL} without waiting; see {@link #sendAsync(Request)}. */
    public CompletableFuture<Ack> sendAsync(String which, String qual) {
        return sendAsync(new Request(which, qual));
    }

    /**
     * Writes one request and returns at once; the future completes with its ack. Requests are
     * pipelined: many may be in flight, and acks are matched to them by order.
     *
     * <p>Fails fast, never buffers without end: when {@code maxPending} requests already await
     * their acks, the returned future is already failed with {@link TooManyPendingException} and
     * nothing is sent. Callers that want to wait instead use {@link #send(Request)} or bound their
     * own in-flight window (as the command-line client does).
     */
    public CompletableFuture<Ack> sendAsync(Request request) {
        if (!isOpen()) {
            return CompletableFuture.failedFuture(closedReason());
        }
        if (!pending.tryReserve()) {
            return CompletableFuture.failedFuture(new TooManyPendingException(pending.capacity()));
        }
        return write(request);
    }

    /** Writes a request whose pending slot is reserved. */
    private CompletableFuture<Ack> write(Request request) {
        CompletableFuture<Ack> ack = new CompletableFuture<>();
        channel.writeAndFlush(new PendingRequest(request, ack)).addListener(f -> {
            if (!f.isSuccess()) {
                // normally the matcher already failed it with the reason; this covers a write
                // that never reached the matcher because the I/O thread had already stopped
                ack.completeExceptionally(f.cause() instanceof ConnectionClosedException c ? c : closedReason());
            }
        });
        return ack;
    }

    /** A fresh exception (one per future: stack traces stay truthful) saying why nothing can be sent. */
    private ConnectionClosedException closedReason() {
        if (closed.get()) {
            return new ConnectionClosedException("client to " + options.address() + " is closed", true, null);
        }
        ConnectionClosedException why = matcher.closedReason();
        return why != null
                ? new ConnectionClosedException(why.getMessage(), why.closedByClient(), why.getCause())
                : new ConnectionClosedException("connection to " + options.address() + " is closed", false, null);
    }

    private static RuntimeException unwrap(Throwable cause) {
        return cause instanceof RuntimeException r ? r
                : new DispatchClientException(String.valueOf(cause.getMessage()), cause);
    }

    /** Whether requests can still be sent: connected, and neither side has closed. */
    public boolean isOpen() {
        return !closed.get() && channel.isActive();
    }

    /** The server's address, resolved. */
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    /** The options this client was connected with. */
    public ClientOptions options() {
        return options;
    }

    /**
     * Closes the connection and releases the I/O thread. Every request still awaiting its ack
     * fails with a {@link ConnectionClosedException} ({@link ConnectionClosedException#closedByClient()}
     * true): acks that may still be on the way are not waited for. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        matcher.closingByClient();
        ChannelFuture closing = channel.close();
        var shutdown = group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        if (!channel.eventLoop().inEventLoop()) { // waiting on our own I/O thread would deadlock
            closing.syncUninterruptibly();
            shutdown.awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS * 2);
        }
    }
}
