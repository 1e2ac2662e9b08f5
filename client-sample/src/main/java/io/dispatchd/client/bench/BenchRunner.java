package io.dispatchd.client.bench;

import io.dispatchd.client.AuthTokens;
import io.dispatchd.client.ClientTls;
import io.dispatchd.client.ConnectFailedException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.HdrHistogram.Histogram;

import javax.net.ssl.SSLSession;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one bench: opens every connection first (connecting, the TLS handshakes and AUTH are not
 * measured as requests; the handshakes are timed on their own), starts them together, prints a
 * progress line each second, and stops when the budget is spent and every reply is in, or when no
 * reply has come for {@link BenchConfig#timeout()} with requests in flight.
 */
public final class BenchRunner {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final BenchConfig config;
    private final PrintWriter progress;

    /** @param progress where the per-second line goes (stderr), or {@code null} for none */
    public BenchRunner(BenchConfig config, PrintWriter progress) {
        this.config = config;
        this.progress = progress;
    }

    public BenchResult run() throws InterruptedException {
        Workload workload = config.workload();
        ByteBuf[] encoded = encode(workload.requests());
        ByteBuf[] requests = new ByteBuf[encoded.length];
        for (int i = 0; i < encoded.length; i++) {
            requests[i] = Unpooled.unreleasableBuffer(encoded[i].asReadOnly()); // the writes' duplicates never free it
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.threads(),
                new DefaultThreadFactory("dispatchd-bench", true), NioIoHandler.newFactory());
        List<Channel> channels = new ArrayList<>();
        try {
            BenchStats stats = new BenchStats(workload.replyKeys().size());
            CountDownLatch finished = new CountDownLatch(config.connections());
            List<BenchConnectionHandler> handlers = new ArrayList<>();
            long intervalNanos = config.fixedRate() ? Math.max(1, Math.round(config.connections() * 1e9 / config.rate())) : 0;
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis());
            ClientTls tls = config.tls() == null ? null : loadTls();
            byte[] authLine = config.token() == null ? null : AuthTokens.authLine(config.token());
            List<ConnectionSetup> setups = new ArrayList<>();
            List<ChannelFuture> connecting = new ArrayList<>();
            for (int i = 0; i < config.connections(); i++) {
                BenchConnectionHandler handler = new BenchConnectionHandler(requests, config.pipeline(), intervalNanos,
                        stats, workload.framers().get(), finished::countDown);
                handlers.add(handler);
                ChannelHandler pipeline = handler; // plain and no token: the bench handler alone, as ever
                if (tls != null || authLine != null) {
                    ConnectionSetup setup = new ConnectionSetup(address(), authLine, config.timeout().toNanos());
                    setups.add(setup);
                    pipeline = securedPipeline(tls, setup, handler);
                }
                connecting.add(bootstrap.clone().handler(pipeline).connect(config.host(), config.port()));
            }
            for (ChannelFuture connect : connecting) {
                connect.await();
                if (!connect.isSuccess()) {
                    throw new BenchFailedException("cannot connect to " + address() + ": "
                            + ConnectFailedException.reason(connect.cause(), CONNECT_TIMEOUT), connect.cause());
                }
                channels.add(connect.channel());
            }
            TlsHandshakes handshakes = awaitSetups(setups, tls != null);

            long start = System.nanoTime();
            long measureStart = start + config.warmup().toNanos();
            RequestBudget budget = config.duration() == null
                    ? RequestBudget.ofCount(measureStart, config.requests())
                    : RequestBudget.ofDuration(measureStart, config.duration().toNanos());
            for (int i = 0; i < handlers.size(); i++) {
                BenchConnectionHandler handler = handlers.get(i);
                long firstDue = start + intervalNanos * i / config.connections(); // spread, not a burst
                channels.get(i).eventLoop().execute(() -> handler.start(budget, firstDue));
            }

            Histogram total = watch(stats, finished, handlers, channels, start, measureStart);
            long end = stats.lastMeasuredReply() == Long.MIN_VALUE ? System.nanoTime() : stats.lastMeasuredReply();
            return result(workload, stats, total, Math.max(0, end - measureStart) / 1e9, handshakes);
        } finally {
            for (Channel channel : channels) {
                channel.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            if (group.isTerminated()) { // no write can still read them
                for (ByteBuf b : encoded) {
                    b.release();
                }
            }
        }
    }

    private ClientTls loadTls() {
        try {
            return ClientTls.load(config.tls());
        } catch (IllegalArgumentException e) {
            throw new BenchFailedException(e.getMessage(), e);
        }
    }

    private String address() {
        return config.host() + ':' + config.port();
    }

    /**
     * TLS first (a context per connection: no session is resumed, every handshake is a full one),
     * then the setup (handshake timing, AUTH), which leaves once the connection is ready.
     */
    private ChannelInitializer<Channel> securedPipeline(ClientTls tls, ConnectionSetup setup, BenchConnectionHandler handler) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                if (tls != null) {
                    SslHandler ssl = tls.newHandlerWithoutResumption(channel.alloc(), config.host(), config.port());
                    ssl.setHandshakeTimeoutMillis(config.timeout().toMillis());
                    channel.pipeline().addLast("tls", ssl);
                }
                channel.pipeline().addLast("setup", setup);
                channel.pipeline().addLast("bench", handler);
            }
        };
    }

    /**
     * Waits until every connection did its TLS handshake and AUTH; the handshakes are timed from
     * the first one's start to the last one's end: they run at once, as the server takes them.
     *
     * @return the handshakes, or {@code null} without TLS
     */
    private TlsHandshakes awaitSetups(List<ConnectionSetup> setups, boolean tls) throws InterruptedException {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (ConnectionSetup setup : setups) {
            try {
                // the setup times itself out (handshake, AUTH); this bound is only a backstop
                setup.ready().get(2 * config.timeout().toNanos() + CONNECT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof BenchFailedException failed ? failed
                        : new BenchFailedException("cannot set up a connection to " + address() + ": " + e.getCause(), e);
            } catch (TimeoutException e) {
                throw new BenchFailedException("a connection to " + address() + " was not ready (TLS, AUTH) in time", e);
            }
            first = Math.min(first, setup.handshakeStart());
            last = Math.max(last, setup.handshakeEnd());
        }
        if (!tls) {
            return null;
        }
        SSLSession session = setups.get(0).session();
        return new TlsHandshakes(setups.size(), (last - first) / 1e9, session.getProtocol(), session.getCipherSuite());
    }

    /** Waits for the end, printing progress; gives up on a silent server. Returns the whole histogram. */
    private Histogram watch(BenchStats stats, CountDownLatch finished, List<BenchConnectionHandler> handlers,
                            List<Channel> channels, long start, long measureStart) throws InterruptedException {
        Histogram total = new Histogram(1, BenchStats.HIGHEST_LATENCY_NANOS, 3);
        Histogram interval = null;
        long lastReplies = 0;
        long lastChange = start;
        long lastTick = start;
        while (!finished.await(PROGRESS_INTERVAL_NANOS - (System.nanoTime() - lastTick) % PROGRESS_INTERVAL_NANOS,
                TimeUnit.NANOSECONDS)) {
            long now = System.nanoTime();
            interval = stats.takeInterval(interval);
            total.add(interval);
            long replies = stats.allReplies();
            if (progress != null) {
                printProgress(now - start, lastTick - measureStart < 0, (replies - lastReplies) * 1e9 / (now - lastTick),
                        stats.sent() - replies, interval);
            }
            if (replies != lastReplies) {
                lastChange = now;
            } else if (stats.sent() > replies && now - lastChange > config.timeout().toNanos()) {
                stats.error("no reply for " + config.timeout().toSeconds() + " s with " + (stats.sent() - replies)
                        + " requests in flight: gave up");
                for (int i = 0; i < handlers.size(); i++) {
                    BenchConnectionHandler handler = handlers.get(i);
                    channels.get(i).eventLoop().execute(handler::abort);
                }
                finished.await(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
                break;
            }
            lastReplies = replies;
            lastTick = now;
        }
        total.add(stats.takeInterval(interval));
        return total;
    }

    /** One line a second: all replies (warm-up included) per second; latency of the measured ones. */
    private void printProgress(long elapsedNanos, boolean warmingUp, double repliesPerSecond, long inFlight,
                               Histogram interval) {
        String latency = interval.getTotalCount() == 0 ? "" : String.format(Locale.ROOT, "  p50 %8.3f ms  p99 %8.3f ms",
                interval.getValueAtPercentile(50) / 1e6, interval.getValueAtPercentile(99) / 1e6);
        progress.printf(Locale.ROOT, "%6.1f s %-8s%,12.0f replies/s  in flight %,7d%s%n",
                elapsedNanos / 1e9, warmingUp ? "warm-up" : "", repliesPerSecond, inFlight, latency);
        progress.flush();
    }

    private BenchResult result(Workload workload, BenchStats stats, Histogram total, double seconds,
                               TlsHandshakes handshakes) {
        long[] counts = stats.measuredByKind();
        List<BenchResult.ReplyCount> replies = new ArrayList<>();
        long answered = 0;
        for (int i = 0; i < counts.length; i++) {
            replies.add(new BenchResult.ReplyCount(workload.replyKeys().get(i), workload.replyLabels().get(i), counts[i]));
            answered += counts[i];
        }
        return new BenchResult(config, answered, seconds, replies, LatencySummary.of(total), total,
                stats.unanswered(), stats.missed(), stats.errorCount(), stats.errors(), handshakes);
    }

    /**
     * Each request encoded once, in a direct buffer that every write shares through a duplicate:
     * a heap buffer would be copied into a direct one by Netty on every write.
     */
    private static ByteBuf[] encode(List<byte[]> requests) {
        ByteBuf[] encoded = new ByteBuf[requests.size()];
        for (int i = 0; i < encoded.length; i++) {
            byte[] bytes = requests.get(i);
            encoded[i] = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        }
        return encoded;
    }
}
