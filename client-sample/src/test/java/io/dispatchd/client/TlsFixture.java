package io.dispatchd.client;

import io.netty.handler.ssl.SslContext;

import javax.net.ssl.SSLException;
import java.nio.file.Path;

/**
 * The certificates a TLS test needs, made at test time in a temporary directory: a CA; a server
 * certificate it signed for {@code localhost} and {@code 127.0.0.1}; a client certificate it
 * signed; a server certificate it signed for another host only; and a CA nobody trusts.
 */
public record TlsFixture(TestCertificates.Issued ca, TestCertificates.Issued server, TestCertificates.Issued client,
                         TestCertificates.Issued otherHost, TestCertificates.Issued strangerCa) {

    public static TlsFixture create(Path dir) throws Exception {
        TestCertificates.Issued ca = TestCertificates.authority(dir, "ca");
        return new TlsFixture(ca,
                TestCertificates.server(dir, "server", ca),
                TestCertificates.client(dir, "client", ca),
                TestCertificates.server(dir, "other-host", ca, "other.example"),
                TestCertificates.authority(dir, "stranger-ca"));
    }

    /** The server's context: its certificate for localhost, no client certificate asked. */
    public SslContext serverContext() throws SSLException {
        return TestCertificates.serverContext(server, null);
    }

    /** The server's context requiring a client certificate signed by the CA. */
    public SslContext mutualServerContext() throws SSLException {
        return TestCertificates.serverContext(server, ca);
    }

    /** A context presenting a certificate for other.example only. */
    public SslContext otherHostContext() throws SSLException {
        return TestCertificates.serverContext(otherHost, null);
    }

    /** Trust the CA only. */
    public TlsOptions trustingCa() {
        return TlsOptions.trusting(ca.certFile());
    }
}
