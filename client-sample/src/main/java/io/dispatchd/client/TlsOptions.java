package io.dispatchd.client;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a client speaks TLS (1.3 or 1.2): which certificate authorities it trusts and, for servers
 * that require one (mutual TLS), the certificate it presents. The server's certificate must be
 * valid for the host the client was given ({@link ClientOptions#host()}): host name verification
 * is always on.
 *
 * <pre>{@code
 * TlsOptions.defaults();                                             // the JVM's trust store
 * TlsOptions.trusting(Path.of("ca.crt"));                            // the CAs of a PEM file
 * TlsOptions.trusting(Path.of("ca.crt")).withClientCertificate(Path.of("client.crt"), Path.of("client.key"));
 * }</pre>
 *
 * <p>The files are read when a client connects ({@link ClientTls#load}), not here.
 *
 * @param caFile   PEM certificates of the authorities to trust, or {@code null} for the JVM's default trust store
 * @param certFile the client certificate chain (PEM), or {@code null} for none
 * @param keyFile  its private key (PEM, unencrypted PKCS#8: {@code BEGIN PRIVATE KEY}), or {@code null} for none
 */
public record TlsOptions(Path caFile, Path certFile, Path keyFile) {

    public TlsOptions {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a client certificate needs both its certFile and its keyFile");
        }
    }

    /** Trust the JVM's default trust store; no client certificate. */
    public static TlsOptions defaults() {
        return new TlsOptions(null, null, null);
    }

    /** Trust the certificate authorities in {@code caFile} (PEM) only; no client certificate. */
    public static TlsOptions trusting(Path caFile) {
        return new TlsOptions(Objects.requireNonNull(caFile, "caFile"), null, null);
    }

    /** These options, presenting the certificate in {@code certFile} with the key in {@code keyFile} (mutual TLS). */
    public TlsOptions withClientCertificate(Path certFile, Path keyFile) {
        return new TlsOptions(caFile, Objects.requireNonNull(certFile, "certFile"), Objects.requireNonNull(keyFile, "keyFile"));
    }

    /** Whether a client certificate is presented. */
    public boolean clientCertificate() {
        return certFile != null;
    }
}
