package io.dispatchd.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link DispatchClient} connects and how long it waits. Validated at construction, so a
 * client never starts with a setting it cannot honour.
 *
 * <pre>{@code
 * ClientOptions options = ClientOptions.defaults().withPort(7070).withRequestTimeout(Duration.ofSeconds(2));
 * ClientOptions secured = ClientOptions.of("dispatchd.example.org", 7070)
 *         .withTls(TlsOptions.trusting(Path.of("ca.crt")))
 *         .withToken(System.getenv("DISPATCHD_TOKEN"));
 * }</pre>
 *
 * @param host           server host name or address
 * @param port           server TCP port, 1–65535
 * @param connectTimeout how long {@link DispatchClient#connect} waits for the TCP handshake, and then
 *                       for the TLS handshake
 * @param requestTimeout how long a request waits for its ack before its future fails with
 *                       {@link RequestTimeoutException}; the blocking {@code send} also waits at
 *                       most this long for a free pending slot, and {@code connect} for the answer to AUTH
 * @param maxPending     requests written and not yet acked, at most; the bound of the FIFO that
 *                       matches acks to requests (see {@link DispatchClient#sendAsync})
 * @param tls            speak TLS, trusting and presenting what these options say; {@code null} for plain TCP.
 *                       The server's certificate must be valid for {@code host}.
 * @param token          sent first on the connection as {@code AUTH token}, for a server started with
 *                       {@code --auth-token-file}; {@code null} for none. {@link #toString()} hides it.
 */
public record ClientOptions(String host, int port, Duration connectTimeout, Duration requestTimeout, int maxPending,
                            TlsOptions tls, String token) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Deep enough to keep a loopback link busy, small enough that a stalled server is noticed. */
    public static final int DEFAULT_MAX_PENDING = 1024;
    /** A sanity cap: one million acks in flight is a bug in the caller, not a workload. */
    public static final int MAX_MAX_PENDING = 1 << 20;

    public ClientOptions {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1-65535: " + port);
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        if (connectTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connectTimeout too long: " + connectTimeout);
        }
        if (maxPending < 1 || maxPending > MAX_MAX_PENDING) {
            throw new IllegalArgumentException("maxPending must be 1-" + MAX_MAX_PENDING + ": " + maxPending);
        }
        if (token != null) {
            AuthTokens.check(token);
        }
    }

    /** Plain TCP and no token: the options before TLS and tokens existed. */
    public ClientOptions(String host, int port, Duration connectTimeout, Duration requestTimeout, int maxPending) {
        this(host, port, connectTimeout, requestTimeout, maxPending, null, null);
    }

    /** Every setting at its {@code DEFAULT_*} value: {@code 127.0.0.1:7070}. */
    public static ClientOptions defaults() {
        return new ClientOptions(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_PENDING, null, null);
    }

    /** The defaults, aimed at {@code host:port}. */
    public static ClientOptions of(String host, int port) {
        return defaults().withHost(host).withPort(port);
    }

    public ClientOptions withHost(String host) {
        return new ClientOptions(host, port, connectTimeout, requestTimeout, maxPending, tls, token);
    }

    public ClientOptions withPort(int port) {
        return new ClientOptions(host, port, connectTimeout, requestTimeout, maxPending, tls, token);
    }

    public ClientOptions withConnectTimeout(Duration connectTimeout) {
        return new ClientOptions(host, port, connectTimeout, requestTimeout, maxPending, tls, token);
    }

    public ClientOptions withRequestTimeout(Duration requestTimeout) {
        return new ClientOptions(host, port, connectTimeout, requestTimeout, maxPending, tls, token);
    }

    public ClientOptions withMaxPending(int maxPending) {
        return new ClientOptions(host, port, connectTimeout, requestTimeout, maxPending, tls, token);
    }

    /**
     * These options over TLS ({@link TlsOptions#defaults()}: the JVM's trust store), or over plain
     * TCP for {@code null}.
     */
    public ClientOptions withTls(TlsOptions tls) {
        return new ClientOptions(host, port, connectTimeout, requestTimeout, maxPending, tls, token);
    }

    /**
     * These options sending {@code AUTH token} first on the connection, or no AUTH for {@code null}.
     *
     * @throws IllegalArgumentException when the token cannot be sent on one line (the message does not quote it)
     */
    public ClientOptions withToken(String token) {
        return new ClientOptions(host, port, connectTimeout, requestTimeout, maxPending, tls, token);
    }

    /** The settings, with the token hidden: options may end up in logs, tokens must not. */
    @Override
    public String toString() {
        return "ClientOptions[host=" + host + ", port=" + port + ", connectTimeout=" + connectTimeout
                + ", requestTimeout=" + requestTimeout + ", maxPending=" + maxPending + ", tls=" + tls
                + ", token=" + (token == null ? "none" : "(hidden)") + "]";
    }

    /** {@code host:port}, as error messages name the server. */
    public String address() {
        return host + ':' + port;
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
