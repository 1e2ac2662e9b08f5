package io.dispatchd.client.bench;

import io.dispatchd.client.AuthTokens;
import io.dispatchd.client.TlsOptions;

import java.time.Duration;
import java.util.Objects;

/**
 * One bench run, validated. Either {@code requests} or {@code duration} bounds it (the other is
 * 0 / null). With {@code rate} 0 the run is closed-loop (each connection keeps {@code pipeline}
 * requests in flight, as redis-benchmark); with a rate it is open-loop: requests are due at
 * fixed intervals and latency counts from when each was due, so a stalled server cannot hide
 * its stall by slowing the sender (no coordinated omission).
 *
 * @param host        server host
 * @param port        server port
 * @param connections connections, opened before the clock starts
 * @param pipeline    requests in flight per connection, at most
 * @param requests    measured requests in all, or 0 when {@code duration} bounds the run
 * @param duration    measured time, or {@code null} when {@code requests} bounds the run
 * @param rate        aggregate requests per second, or 0 for as fast as acks allow
 * @param warmup      time before measuring: requests sent then are not counted
 * @param threads     I/O threads for all connections
 * @param timeout     how long the run waits with requests in flight and no reply before it gives up
 * @param workload    what to send and how to count replies
 * @param tls         speak TLS with these options, each connection a full handshake before the run; {@code null}
 *                    for plain TCP
 * @param token       send {@code AUTH token} first on each connection, before the run; {@code null} for none
 *                    ({@link #toString()} hides it)
 */
public record BenchConfig(String host, int port, int connections, int pipeline, long requests, Duration duration,
                          double rate, Duration warmup, int threads, Duration timeout, Workload workload,
                          TlsOptions tls, String token) {

    public static final int DEFAULT_CONNECTIONS = 50;
    public static final int DEFAULT_PIPELINE = 1;
    public static final long DEFAULT_REQUESTS = 100_000;
    public static final String DEFAULT_WARMUP = "0s";
    /** One I/O thread: the bench usually shares the machine with the server it measures. */
    public static final int DEFAULT_THREADS = 1;
    public static final String DEFAULT_TIMEOUT = "10s";

    public static final int MAX_CONNECTIONS = 10_000;
    public static final int MAX_PIPELINE = 100_000;

    public BenchConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(workload, "workload");
        check(port >= 1 && port <= 65_535, "port must be 1-65535: " + port);
        check(connections >= 1 && connections <= MAX_CONNECTIONS, "connections must be 1-" + MAX_CONNECTIONS);
        check(pipeline >= 1 && pipeline <= MAX_PIPELINE, "pipeline must be 1-" + MAX_PIPELINE);
        check((requests > 0) != (duration != null), "give either a request count or a duration, not both");
        check(requests >= 0, "requests must be positive");
        check(duration == null || !(duration.isNegative() || duration.isZero()), "duration must be positive");
        check(rate >= 0 && Double.isFinite(rate), "rate must be positive (or 0 for no fixed rate)");
        check(rate == 0 || rate / connections <= 1e9, "rate per connection must be at most 1e9 req/s");
        check(!warmup.isNegative(), "warmup must not be negative");
        check(threads >= 1 && threads <= 256, "threads must be 1-256");
        check(!(timeout.isNegative() || timeout.isZero()), "timeout must be positive");
        if (token != null) {
            AuthTokens.check(token);
        }
    }

    /** Plain TCP, no token. */
    public BenchConfig(String host, int port, int connections, int pipeline, long requests, Duration duration,
                       double rate, Duration warmup, int threads, Duration timeout, Workload workload) {
        this(host, port, connections, pipeline, requests, duration, rate, warmup, threads, timeout, workload, null, null);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public boolean fixedRate() {
        return rate > 0;
    }

    /** The settings, with the token hidden. */
    @Override
    public String toString() {
        return "BenchConfig[host=" + host + ", port=" + port + ", connections=" + connections + ", pipeline=" + pipeline
                + ", requests=" + requests + ", duration=" + duration + ", rate=" + rate + ", warmup=" + warmup
                + ", threads=" + threads + ", timeout=" + timeout + ", workload=" + workload + ", tls=" + tls
                + ", token=" + (token == null ? "none" : "(hidden)") + "]";
    }
}
