package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The token: {@code AUTH token} first on the connection, its ack taken by the client before any
 * request's, and a refusal that says so without ever quoting the token. Against the scripted
 * stand-in, which wants the token as the real server does with {@code --auth-token-file}.
 */
@Timeout(30)
class DispatchClientAuthTest {

    private static final String TOKEN = "s3cret-T0ken with words";

    @Test
    void theAuthLineIsSentFirstAndItsAckIsNotARequestsAck() throws Exception {
        // every request is answered '-': had the client handed AUTH's '+' to a request, one would be OK
        try (ScriptedServer server = new ScriptedServer(line -> "-", null, TOKEN);
             DispatchClient client = DispatchClient.connect(ClientOptions.of("127.0.0.1", server.port()).withToken(TOKEN))) {
            List<CompletableFuture<Ack>> acks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                acks.add(client.sendAsync("a", "" + i));
            }
            for (CompletableFuture<Ack> ack : acks) {
                assertThat(ack.get(5, TimeUnit.SECONDS)).isEqualTo(Ack.FAILED);
            }
            assertThat(client.send("b", "12")).isEqualTo(Ack.FAILED);

            assertThat(server.lines()).containsExactly("AUTH " + TOKEN, "a 0", "a 1", "a 2", "b 12");
        }
    }

    @Test
    void aQuestionMarkToAuthRaisesAuthenticationFailedWithoutTheToken() throws Exception {
        String wrong = "wr0ng-t0ken";
        try (ScriptedServer server = new ScriptedServer(line -> "+", null, TOKEN)) {
            ClientOptions options = ClientOptions.of("127.0.0.1", server.port()).withToken(wrong);

            assertThatThrownBy(() -> DispatchClient.connect(options))
                    .isInstanceOf(AuthenticationFailedException.class)
                    .isInstanceOf(DispatchClientException.class)
                    .hasMessage("authentication failed at 127.0.0.1:" + server.port()
                            + ": the server refused the token (it answered '?' to AUTH)")
                    .hasMessageNotContaining(wrong);
            assertThat(server.lines()).containsExactly("AUTH " + wrong); // and nothing after it
        }
    }

    @Test
    void tlsAndATokenTogether(@TempDir Path dir) throws Exception {
        TlsFixture certs = TlsFixture.create(dir);
        try (ScriptedServer server = new ScriptedServer(line -> "+", certs.mutualServerContext(), TOKEN);
             DispatchClient client = DispatchClient.connect(ClientOptions.of("localhost", server.port())
                     .withTls(certs.trustingCa().withClientCertificate(certs.client().certFile(), certs.client().keyFile()))
                     .withToken(TOKEN))) {
            assertThat(client.send("a", "88")).isEqualTo(Ack.OK);
            assertThat(server.lines()).containsExactly("AUTH " + TOKEN, "a 88");
        }
    }

    @Test
    void aServerThatClosesBeforeAnsweringAuthIsAConnectFailure() throws Exception {
        try (ScriptedServer server = ScriptedServer.silent()) {
            CompletableFuture<DispatchClient> connecting = CompletableFuture.supplyAsync(() ->
                    DispatchClient.connect(ClientOptions.of("127.0.0.1", server.port()).withToken(TOKEN)));
            await().atMost(Duration.ofSeconds(5)).until(() -> !server.lines().isEmpty());

            server.closeConnections();

            assertThatThrownBy(() -> connecting.get(5, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageContaining("before it answered AUTH")
                    .hasMessageNotContaining(TOKEN);
        }
    }

    @Test
    void noAnswerToAuthWithinTheRequestTimeoutIsAConnectFailure() throws Exception {
        try (ScriptedServer server = ScriptedServer.silent()) {
            ClientOptions options = ClientOptions.of("127.0.0.1", server.port()).withToken(TOKEN)
                    .withRequestTimeout(Duration.ofMillis(200));

            assertThatThrownBy(() -> DispatchClient.connect(options))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageContaining("no answer to AUTH within 200 ms");
        }
    }
}
