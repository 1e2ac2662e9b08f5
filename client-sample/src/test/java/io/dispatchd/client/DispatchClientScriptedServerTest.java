package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The client against a scripted stand-in server: the failure paths (silence, closes, garbage,
 * timeouts) that a real server does not produce on demand. The happy paths against the real
 * server are in {@code DispatchClientTest}.
 */
@Timeout(20)
class DispatchClientScriptedServerTest {

    private static ClientOptions optionsFor(ScriptedServer server) {
        return ClientOptions.of("127.0.0.1", server.port());
    }

    @Test
    void questionMarkAndBangAreValuesNotExceptions() throws Exception {
        try (ScriptedServer server = new ScriptedServer(line -> line.startsWith("zz") ? "?" : "!");
             DispatchClient client = DispatchClient.connect(optionsFor(server))) {
            assertThat(client.send("zz", "x")).isEqualTo(Ack.BAD_REQUEST);
            assertThat(client.send("a", "88")).isEqualTo(Ack.BUSY);
        }
    }

    @Test
    void serverSideCloseFailsEveryPendingFuture() throws Exception {
        try (ScriptedServer server = ScriptedServer.silent();
             DispatchClient client = DispatchClient.connect(optionsFor(server))) {
            List<CompletableFuture<Ack>> acks = sendMany(client, 5);
            awaitLines(server, 5);

            server.closeConnections();

            for (CompletableFuture<Ack> ack : acks) {
                assertThatThrownBy(ack::join).cause()
                        .isInstanceOf(ConnectionClosedException.class)
                        .hasMessageContaining("closed by the server")
                        .matches(e -> !((ConnectionClosedException) e).closedByClient());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> !client.isOpen());
            assertThatThrownBy(() -> client.send("a", "1")).isInstanceOf(ConnectionClosedException.class);
        }
    }

    @Test
    void clientSideCloseFailsEveryPendingFutureAndLaterSends() throws Exception {
        try (ScriptedServer server = ScriptedServer.silent()) {
            DispatchClient client = DispatchClient.connect(optionsFor(server));
            List<CompletableFuture<Ack>> acks = sendMany(client, 3);
            awaitLines(server, 3);

            client.close();

            for (CompletableFuture<Ack> ack : acks) {
                assertThatThrownBy(ack::join).cause()
                        .isInstanceOf(ConnectionClosedException.class)
                        .hasMessageContaining("closed by the client")
                        .matches(e -> ((ConnectionClosedException) e).closedByClient());
            }
            assertThatThrownBy(() -> client.sendAsync("a", "1").join()).cause()
                    .isInstanceOf(ConnectionClosedException.class);
            client.close(); // idempotent
        }
    }

    @Test
    void connectRefusedNamesHostAndPort() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertThatThrownBy(() -> DispatchClient.connect(ClientOptions.of("127.0.0.1", closedPort)))
                .isInstanceOf(ConnectFailedException.class)
                .hasMessage("cannot connect to dispatchd at 127.0.0.1:" + closedPort + ": connection refused");
    }

    @Test
    void aByteThatIsNoAckClosesTheConnectionWithTheReason() throws Exception {
        try (ScriptedServer server = new ScriptedServer(line -> "HTTP/1.1 400\r\n");
             DispatchClient client = DispatchClient.connect(optionsFor(server))) {
            assertThatThrownBy(() -> client.send("a", "88"))
                    .isInstanceOf(ConnectionClosedException.class)
                    .hasMessageContaining("not an ack byte: 0x48");
        }
    }

    @Test
    void aTimedOutRequestKeepsItsPlaceSoLaterAcksStayAligned() throws Exception {
        // the first request is answered late, together with the second: '+' then '-'
        try (ScriptedServer server = new ScriptedServer(line -> line.equals("a slow") ? null : "+-");
             DispatchClient client = DispatchClient.connect(
                     optionsFor(server).withRequestTimeout(Duration.ofMillis(200)))) {
            assertThatThrownBy(() -> client.send("a", "slow"))
                    .isInstanceOf(RequestTimeoutException.class)
                    .hasMessage("no ack for 'a slow' within 200 ms");

            assertThat(client.send("b", "late")).isEqualTo(Ack.FAILED);
        }
    }

    @Test
    void sendAsyncFailsFastWhenMaxPendingRequestsAwaitTheirAcks() throws Exception {
        try (ScriptedServer server = ScriptedServer.silent();
             DispatchClient client = DispatchClient.connect(optionsFor(server).withMaxPending(2))) {
            List<CompletableFuture<Ack>> inFlight = sendMany(client, 2);

            CompletableFuture<Ack> third = client.sendAsync("a", "3");

            assertThat(third).isCompletedExceptionally();
            assertThatThrownBy(third::join).cause().isInstanceOf(TooManyPendingException.class)
                    .hasMessageContaining("2 requests already await their acks");
            assertThat(inFlight).noneMatch(CompletableFuture::isDone);
        }
    }

    @Test
    void aRequestTheProtocolForbidsIsRefusedBeforeItIsSent() throws Exception {
        try (ScriptedServer server = ScriptedServer.answering('+');
             DispatchClient client = DispatchClient.connect(optionsFor(server))) {
            assertThatIllegalArgumentException().isThrownBy(() -> client.sendAsync("a b", "1"));
            assertThatIllegalArgumentException().isThrownBy(() -> client.sendAsync("a", "1\nb 2"));
            assertThatIllegalArgumentException().isThrownBy(() -> client.send("a", ""));

            assertThat(client.send("A", "ok")).isEqualTo(Ack.OK);
            assertThat(server.lines().poll(5, TimeUnit.SECONDS)).isEqualTo("a ok");
        }
    }

    @Test
    void concurrentSendersEachGetTheAckOfTheirOwnRequest() throws Exception {
        // the server's answer depends on the qual, so a mismatched ack would be visible
        try (ScriptedServer server = new ScriptedServer(line -> line.endsWith("even") ? "+" : "?");
             DispatchClient client = DispatchClient.connect(optionsFor(server).withMaxPending(64))) {
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> senders = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    senders.add(threads.submit(() -> {
                        for (int i = 0; i < 500; i++) {
                            boolean even = i % 2 == 0;
                            Ack ack = client.send("a", i + (even ? "-even" : "-odd"));
                            assertThat(ack).isEqualTo(even ? Ack.OK : Ack.BAD_REQUEST);
                        }
                        return null;
                    }));
                }
                for (Future<?> sender : senders) {
                    sender.get(15, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    private static List<CompletableFuture<Ack>> sendMany(DispatchClient client, int count) {
        List<CompletableFuture<Ack>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            acks.add(client.sendAsync("a", String.valueOf(i)));
        }
        return acks;
    }

    private static void awaitLines(ScriptedServer server, int count) {
        await().atMost(Duration.ofSeconds(5)).until(() -> server.lines().size() >= count);
    }
}
