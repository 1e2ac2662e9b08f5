package io.dispatchd.client;

import io.dispatchd.testing.TlsCertificates;
import io.netty.handler.ssl.SslContext;

import javax.net.ssl.SSLException;
import java.nio.file.Path;

/**
 * The certificates a TLS test needs, made at test time in a temporary directory: a CA; a server
 * certificate it signed for {@code localhost} and {@code 127.0.0.1}; a client certificate it
 * signed; a server certificate it signed for another host only; and a CA nobody trusts.
 */
public record TlsFixture(TlsCertificates.Issued ca, TlsCertificates.Issued server, TlsCertificates.Issued client,
                         TlsCertificates.Issued otherHost, TlsCertificates.Issued strangerCa) {

    public static TlsFixture create(Path dir) throws Exception {
        TlsCertificates.Issued ca = TlsCertificates.authority(dir, "ca");
        return new TlsFixture(ca,
                TlsCertificates.server(dir, "server", ca),
                TlsCertificates.client(dir, "client", ca),
                TlsCertificates.server(dir, "other-host", ca, "other.example"),
                TlsCertificates.authority(dir, "stranger-ca"));
    }

    /** The server's context: its certificate for localhost, no client certificate asked. */
    public SslContext serverContext() throws SSLException {
        return TlsCertificates.serverContext(server, null);
    }

    /** The server's context requiring a client certificate signed by the CA. */
    public SslContext mutualServerContext() throws SSLException {
        return TlsCertificates.serverContext(server, ca);
    }

    /** A context presenting a certificate for other.example only. */
    public SslContext otherHostContext() throws SSLException {
        return TlsCertificates.serverContext(otherHost, null);
    }

    /** Trust the CA only. */
    public TlsOptions trustingCa() {
        return TlsOptions.trusting(ca.certFile());
    }
}
