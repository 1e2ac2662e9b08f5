package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import io.dispatchd.server.DispatchServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.dispatchd.client.TestServers.optionsFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The client against the real server, in-process on an ephemeral port. */
@Timeout(60)
class DispatchClientTest {

    @Test
    void blockingSendReturnsTheAck() throws Exception {
        try (DispatchServer server = TestServers.fast();
             DispatchClient client = DispatchClient.connect(optionsFor(server))) {
            assertThat(client.send("a", "88")).isEqualTo(Ack.OK);
            assertThat(client.send("B", "12 and more")).isEqualTo(Ack.OK);
            assertThat(client.send("zz", "x")).isEqualTo(Ack.BAD_REQUEST);
        }
    }

    @Test
    void tenThousandPipelinedSendsAreMatchedToTheirAcksInOrder() throws Exception {
        int count = 10_000;
        try (DispatchServer server = TestServers.fast();
             DispatchClient client = DispatchClient.connect(optionsFor(server).withMaxPending(count))) {
            List<CompletableFuture<Ack>> acks = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                // an unknown service every 7th request: its '?' must land exactly there
                acks.add(i % 7 == 3 ? client.sendAsync("zz", "x" + i)
                        : client.sendAsync("abcd".substring(i % 4, i % 4 + 1), "" + i));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
            for (int i = 0; i < count; i++) {
                assertThat(acks.get(i).join()).as("ack %d", i).isEqualTo(i % 7 == 3 ? Ack.BAD_REQUEST : Ack.OK);
            }
        }
    }

    @Test
    void busyIsAValueNotAnException() throws Exception {
        try (DispatchServer server = TestServers.start(TestServers.FILLABLE);
             DispatchClient client = DispatchClient.connect(optionsFor(server))) {
            TestServers.fill(client); // one job in progress, one waiting for it, one queued: full for 100 s

            List<CompletableFuture<Ack>> acks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                acks.add(client.sendAsync("a", "" + i));
            }

            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
            assertThat(acks).allSatisfy(ack -> assertThat(ack.join()).isEqualTo(Ack.BUSY));
        }
    }

    @Test
    void clientSideCloseFailsThePendingFutures() throws Exception {
        try (DispatchServer server = TestServers.start("--ack", "complete", "--workers", "1",
                "--engine-iterations", "100000", "--engine-pause", "1ms", "--drain-timeout", "100ms")) {
            DispatchClient client = DispatchClient.connect(optionsFor(server));
            List<CompletableFuture<Ack>> acks = List.of(client.sendAsync("a", "1"), client.sendAsync("b", "2"));

            client.close();

            assertThat(acks).allSatisfy(ack -> assertThatThrownBy(ack::join).cause()
                    .isInstanceOfSatisfying(ConnectionClosedException.class,
                            e -> assertThat(e.closedByClient()).isTrue()));
        }
    }

    @Test
    void aServerThatShutsDownAnswersWhatItOwesThenNewSendsFailClearly() throws Exception {
        DispatchServer server = TestServers.fast();
        try (DispatchClient client = DispatchClient.connect(optionsFor(server))) {
            CompletableFuture<Ack> owed = client.sendAsync("a", "88");
            assertThat(owed.get()).isEqualTo(Ack.OK);

            server.close();

            await().atMost(Duration.ofSeconds(10)).until(() -> !client.isOpen());
            assertThatThrownBy(() -> client.send("a", "89"))
                    .isInstanceOf(ConnectionClosedException.class)
                    .hasMessage("connection to 127.0.0.1:" + server.address().getPort()
                            + " closed by the server before the ack arrived");
        } finally {
            server.close();
        }
    }

    @Test
    void connectRefusedNamesTheAddress() throws Exception {
        int port;
        try (DispatchServer server = TestServers.fast()) {
            port = server.address().getPort();
        }
        assertThatThrownBy(() -> DispatchClient.connect(ClientOptions.of("127.0.0.1", port)))
                .isInstanceOf(ConnectFailedException.class)
                .hasMessage("cannot connect to dispatchd at 127.0.0.1:" + port + ": connection refused");
    }
}
