package io.dispatchd.client.bench;

/**
 * The TLS handshakes of a run: one full handshake per connection (no session resumed), all at
 * once before the clock starts, timed from the first one's start to the last one's end.
 *
 * @param count       handshakes, one per connection
 * @param seconds     from the first handshake's start to the last one's end
 * @param protocol    what the first connection negotiated, e.g. {@code TLSv1.3}
 * @param cipherSuite likewise, e.g. {@code TLS_AES_256_GCM_SHA384}
 */
public record TlsHandshakes(int count, double seconds, String protocol, String cipherSuite) {

    /** Full handshakes per second. */
    public double perSecond() {
        return seconds > 0 ? count / seconds : 0;
    }
}
