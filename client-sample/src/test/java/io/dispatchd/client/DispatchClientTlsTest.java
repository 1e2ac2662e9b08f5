package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSession;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client over TLS, against a scripted stand-in server wrapped in an {@code SslHandler}, with
 * certificates made at test time: trust from a CA file or the JVM's store, host name verification,
 * mutual TLS, and how each failure reads.
 */
@Timeout(30)
class DispatchClientTlsTest {

    @TempDir
    static Path dir;

    private static TlsFixture certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TlsFixture.create(dir);
    }

    private static ClientOptions optionsFor(ScriptedServer server, String host) {
        return ClientOptions.of(host, server.port()).withTls(certs.trustingCa());
    }

    @Test
    void sendOverTlsWorksTrustingTheCaFileAndNamesTheHostBySni() throws Exception {
        try (ScriptedServer server = new ScriptedServer(line -> "+", certs.serverContext(), null);
             DispatchClient client = DispatchClient.connect(optionsFor(server, "localhost"))) {
            assertThat(client.send("a", "88")).isEqualTo(Ack.OK);
            assertThat(client.sendAsync("b", "12").get(5, TimeUnit.SECONDS)).isEqualTo(Ack.OK);

            assertThat(server.lines()).containsExactly("a 88", "b 12");
            SSLSession session = server.sessions().poll(5, TimeUnit.SECONDS);
            assertThat(session).isNotNull();
            assertThat(session.getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            assertThat(((ExtendedSSLSession) session).getRequestedServerNames()).containsExactly(new SNIHostName("localhost"));
        }
    }

    @Test
    void anIpAddressIsVerifiedAgainstTheCertificatesIpNames() throws Exception {
        try (ScriptedServer server = new ScriptedServer(line -> "+", certs.serverContext(), null);
             DispatchClient client = DispatchClient.connect(optionsFor(server, "127.0.0.1"))) {
            assertThat(client.send("a", "88")).isEqualTo(Ack.OK);
            SSLSession session = server.sessions().poll(5, TimeUnit.SECONDS);
            assertThat(session).as("a handshake within 5 s").isNotNull();
            assertThat(((ExtendedSSLSession) session).getRequestedServerNames()).as("SNI carries names only").isEmpty();
        }
    }

    @Test
    void hostNameVerificationRefusesACertificateForAnotherHost() throws Exception {
        // signed by the trusted CA, but for other.example: trust alone must not be enough
        try (ScriptedServer server = new ScriptedServer(line -> "+", certs.otherHostContext(), null)) {
            assertThatThrownBy(() -> DispatchClient.connect(optionsFor(server, "localhost")))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageStartingWith("cannot connect to dispatchd at localhost:" + server.port()
                            + ": TLS handshake failed: ")
                    .hasMessageContaining("localhost")
                    .hasMessageNotContaining("\n");
            assertThat(server.lines()).isEmpty();
        }
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        try (ScriptedServer server = new ScriptedServer(line -> "+", certs.serverContext(), null)) {
            ClientOptions trustingAStranger = ClientOptions.of("localhost", server.port())
                    .withTls(TlsOptions.trusting(certs.strangerCa().certFile()));
            assertThatThrownBy(() -> DispatchClient.connect(trustingAStranger))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageContaining("TLS handshake failed: ")
                    .hasMessageContaining("certification path");
        }
    }

    @Test
    void withoutACaFileTheJvmTrustStoreDecidesAndDoesNotKnowTheTestCa() throws Exception {
        try (ScriptedServer server = new ScriptedServer(line -> "+", certs.serverContext(), null)) {
            ClientOptions jvmTrust = ClientOptions.of("localhost", server.port()).withTls(TlsOptions.defaults());
            assertThatThrownBy(() -> DispatchClient.connect(jvmTrust))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageContaining("TLS handshake failed: ")
                    .hasMessageContaining("certification path");
        }
    }

    @Test
    void mutualTlsPresentsTheClientCertificate() throws Exception {
        try (ScriptedServer server = new ScriptedServer(line -> "+", certs.mutualServerContext(), null);
             DispatchClient client = DispatchClient.connect(optionsFor(server, "localhost").withTls(certs.trustingCa()
                     .withClientCertificate(certs.client().certFile(), certs.client().keyFile())))) {
            assertThat(client.send("a", "88")).isEqualTo(Ack.OK);

            SSLSession session = server.sessions().poll(5, TimeUnit.SECONDS);
            assertThat(session).as("a handshake within 5 s").isNotNull();
            assertThat(session.getPeerPrincipal().getName()).isEqualTo("CN=client");
        }
    }

    @Test
    void withoutAClientCertificateAServerThatRequiresOneEndsTheConnection() throws Exception {
        try (ScriptedServer server = new ScriptedServer(line -> "+", certs.mutualServerContext(), null)) {
            // TLS 1.3: the client's side of the handshake may finish before the server refuses it,
            // so the refusal shows at connect or at the first request, never as an ack
            assertThatThrownBy(() -> {
                try (DispatchClient client = DispatchClient.connect(optionsFor(server, "localhost"))) {
                    client.send("a", "88");
                }
            }).isInstanceOf(DispatchClientException.class); // the alert's text ("certificate required") may be lost to the close
            assertThat(server.lines()).as("nothing got through").isEmpty();
        }
    }

    @Test
    void aServerThatClosesOnTlsBytesIsAHandshakeFailure() throws Exception {
        // what the real server does on a plaintext port: TLS bytes close the connection at once
        try (ServerSocket plaintext = new ServerSocket(0)) {
            CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> {
                try (Socket socket = plaintext.accept(); InputStream in = socket.getInputStream()) {
                    in.read();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ClientOptions options = ClientOptions.of("localhost", plaintext.getLocalPort()).withTls(certs.trustingCa());

            assertThatThrownBy(() -> DispatchClient.connect(options))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageStartingWith("cannot connect to dispatchd at localhost:" + plaintext.getLocalPort()
                            + ": TLS handshake failed: ");
            closer.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSilentServerTimesTheHandshakeOutWithinTheConnectTimeout() throws Exception {
        try (ScriptedServer silent = ScriptedServer.silent()) { // plain TCP: it never answers the hello
            ClientOptions options = optionsFor(silent, "localhost").withConnectTimeout(Duration.ofMillis(300));

            assertThatThrownBy(() -> DispatchClient.connect(options))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageContaining("TLS handshake failed: ")
                    .hasMessageContaining("300");
        }
    }

    @Test
    void filesThatCannotBeUsedAreRefusedWithTheirName() throws Exception {
        Path missing = dir.resolve("missing.crt");
        Path notPem = Files.writeString(dir.resolve("not-a-certificate.crt"), "hello\n");

        assertThatIllegalArgumentException().isThrownBy(() -> ClientTls.load(TlsOptions.trusting(missing)))
                .withMessage("cannot read CA file " + missing + ": no such file");
        assertThatIllegalArgumentException().isThrownBy(() -> ClientTls.load(TlsOptions.trusting(notPem)))
                .withMessageStartingWith("CA file " + notPem);
        assertThatIllegalArgumentException().isThrownBy(() -> ClientTls.load(certs.trustingCa()
                        .withClientCertificate(certs.client().certFile(), certs.client().certFile())))
                .withMessageStartingWith("client key file " + certs.client().certFile() + " holds no unencrypted PKCS#8 PEM key");
        assertThatIllegalArgumentException().isThrownBy(() -> ClientTls.load(certs.trustingCa()
                        .withClientCertificate(certs.client().certFile(), certs.server().keyFile())))
                .withMessage("client key file " + certs.server().keyFile() + " does not go with client certificate file "
                        + certs.client().certFile());
        assertThatIllegalArgumentException().isThrownBy(() -> new TlsOptions(null, certs.client().certFile(), null))
                .withMessageContaining("both");
    }
}
