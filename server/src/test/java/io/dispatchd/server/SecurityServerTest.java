package io.dispatchd.server;

import io.dispatchd.server.config.ServerConfig;
import io.dispatchd.testing.TlsCertificates;
import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS, mutual TLS, tokens, the admin endpoint's bearer tokens and the cross-protocol closes, over real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecurityServerTest {

    @TempDir
    Path tmp;

    private final List<DispatchServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(DispatchServer::close);
    }

    private DispatchServer start(String... flags) throws StartupException {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--admin-port", "0"));
        args.addAll(List.of(flags));
        DispatchServer s = DispatchServer.start(ServerConfig.fromArgs(Map.of(), args.toArray(String[]::new)));
        servers.add(s);
        return s;
    }

    private Path tokens(String name, String... lines) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, List.of(lines));
        return file;
    }

    @Test
    void theFirstLineMustBeAuthWithARightTokenElseQuestionMarkAndTheConnectionCloses() throws Exception {
        DispatchServer server = start("--auth-token-file", tokens("tokens", "# rotate: add the new, remove the old", "s3cret",
                "n3w-one").toString());
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("AUTH s3cret\na 1\nb 2\n").read(3)).isEqualTo("+++");
        }
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("auth n3w-one\na 1\n").read(2)).as("any token of the file, AUTH in any case").isEqualTo("++");
        }
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("AUTH wrong\na 1\n").readToEnd()).isEqualTo("?");
        }
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("a 1\n").readToEnd()).as("no AUTH first").isEqualTo("?");
        }
        assertThat(count(server, "dispatchd.auth.failures")).isEqualTo(2);
    }

    @Test
    void anHttpRequestOrTlsHandshakeOnThePlaintextPortIsClosedAtOnceWithNoAck() throws Exception {
        DispatchServer server = start();
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readToEnd()).isEmpty();
        }
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("POST /a HTTP/1.0\r\n").readToEnd()).isEmpty();
        }
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("host: evil.example\n").readToEnd()).as("a Host: line anywhere").isEmpty();
        }
        try (TestConnection c = new TestConnection(server.address())) {
            // the start of a ClientHello: handshake record, TLS 1.0 record version, a length
            assertThat(c.send(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01}).readToEnd()).isEmpty();
        }
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("a GET / HTTP/1.1 x\na get / HTTP/1.1\n").read(2)).as("ordinary lines that merely contain it")
                    .isEqualTo("++");
        }
        assertThat(server.metrics().registry().find("dispatchd.foreign.protocol").tag("protocol", "http").counter().count())
                .isEqualTo(3);
        assertThat(server.metrics().registry().find("dispatchd.foreign.protocol").tag("protocol", "tls").counter().count())
                .isEqualTo(1);
    }

    @Test
    void withTlsTheRequestPortSpeaksTlsAndTheAdminEndpointHttps() throws Exception {
        TlsCertificates.Issued ca = TlsCertificates.authority(tmp, "ca");
        TlsCertificates.Issued cert = TlsCertificates.server(tmp, "server", ca);
        DispatchServer server = start("--tls-cert-file", cert.certFile().toString(), "--tls-key-file", cert.keyFile().toString());
        try (TestConnection c = TestConnection.tls(server.address(), trusting(ca, null))) {
            assertThat(c.send("a 1\nb 2\n").read(2)).isEqualTo("++");
        }
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("a 1\nb 2\n").readToEnd()).as("plain text gets no ack from a TLS port").isEmpty();
        }
        HttpClient https = HttpClient.newBuilder().sslContext(trusting(ca, null)).build();
        HttpResponse<String> metrics = https.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + server.adminAddress().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("dispatchd_requests_total");
        assertThat(server.adminTls()).isTrue();
    }

    @Test
    void withACaFileAClientMustPresentACertificateItSigned() throws Exception {
        TlsCertificates.Issued ca = TlsCertificates.authority(tmp, "ca");
        TlsCertificates.Issued cert = TlsCertificates.server(tmp, "server", ca);
        TlsCertificates.Issued alice = TlsCertificates.client(tmp, "alice", ca);
        TlsCertificates.Issued stranger = TlsCertificates.client(tmp, "mallory",
                TlsCertificates.authority(tmp, "other-ca"));
        DispatchServer server = start("--tls-cert-file", cert.certFile().toString(), "--tls-key-file",
                cert.keyFile().toString(), "--tls-ca-file", ca.certFile().toString());

        try (TestConnection c = TestConnection.tls(server.address(), trusting(ca, alice))) {
            assertThat(c.send("a 1\n").read(1)).isEqualTo("+");
        }
        assertThat(refusedOrClosed(server, trusting(ca, null))).as("no certificate").isTrue();
        assertThat(refusedOrClosed(server, trusting(ca, stranger))).as("a certificate another CA signed").isTrue();
    }

    @Test
    void aReloadPutsANewCertificateInForceForNewConnections() throws Exception {
        TlsCertificates.Issued oldCa = TlsCertificates.authority(tmp, "old-ca");
        TlsCertificates.Issued cert = TlsCertificates.server(tmp, "server", oldCa);
        DispatchServer server = start("--tls-cert-file", cert.certFile().toString(), "--tls-key-file", cert.keyFile().toString());
        try (TestConnection c = TestConnection.tls(server.address(), trusting(oldCa, null))) {
            assertThat(c.send("a 1\n").read(1)).isEqualTo("+");
        }
        Path fresh = Files.createDirectory(tmp.resolve("fresh"));
        TlsCertificates.Issued newCa = TlsCertificates.authority(fresh, "new-ca");
        TlsCertificates.Issued renewed = TlsCertificates.server(fresh, "server", newCa);
        Files.copy(renewed.certFile(), cert.certFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.keyFile(), cert.keyFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        server.reloadSecrets();

        try (TestConnection c = TestConnection.tls(server.address(), trusting(newCa, null))) {
            assertThat(c.send("a 1\n").read(1)).isEqualTo("+");
        }
        assertThatThrownBy(() -> TestConnection.tls(server.address(), trusting(oldCa, null)).close())
                .as("the old certificate is gone").isInstanceOf(SSLException.class);
    }

    @Test
    void aBadCertificateOrKeyIsAStartupFailureNamingTheFile() throws Exception {
        TlsCertificates.Issued ca = TlsCertificates.authority(tmp, "ca");
        TlsCertificates.Issued cert = TlsCertificates.server(tmp, "server", ca);
        Path garbage = tokens("garbage.pem", "not a certificate");
        assertThatThrownBy(() -> start("--tls-cert-file", garbage.toString(), "--tls-key-file", cert.keyFile().toString()))
                .isInstanceOf(StartupException.class).hasMessageStartingWith("--tls-cert-file " + garbage);
        assertThatThrownBy(() -> start("--tls-cert-file", cert.certFile().toString(), "--tls-key-file", garbage.toString()))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("cannot use --tls-key-file " + garbage + " with --tls-cert-file " + cert.certFile());
        Path missing = tmp.resolve("missing.key");
        assertThatThrownBy(() -> start("--tls-cert-file", cert.certFile().toString(), "--tls-key-file", missing.toString()))
                .isInstanceOf(StartupException.class).hasMessage("cannot read --tls-key-file " + missing);
    }

    @Test
    void withAnAdminTokenFileEveryAdminPathButHealthNeedsTheBearerToken() throws Exception {
        DispatchServer server = start("--admin-token-file", tokens("admin-tokens", "adm1n").toString());
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + server.adminAddress().getPort();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization", "Bearer nope")
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization", "Bearer adm1n")
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("health checkers need no secret").isEqualTo(200);
    }

    /** A TLS connection to the server fails in the handshake, or the server closes it before an ack. */
    private static boolean refusedOrClosed(DispatchServer server, SSLContext tls) {
        try (TestConnection c = TestConnection.tls(server.address(), tls)) {
            return c.send("a 1\n").readToEnd().isEmpty(); // TLS 1.3: the server's refusal may come after the handshake
        } catch (IOException e) {
            return true;
        }
    }

    /** A client TLS context trusting {@code ca}, presenting {@code client}'s certificate when not null. */
    static SSLContext trusting(TlsCertificates.Issued ca, TlsCertificates.Issued client) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", client.keys().getPrivate(), new char[0], new Certificate[] {client.certificate()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static double count(DispatchServer server, String name) {
        Counter c = server.metrics().registry().find(name).counter();
        return c == null ? 0 : c.count();
    }
}
