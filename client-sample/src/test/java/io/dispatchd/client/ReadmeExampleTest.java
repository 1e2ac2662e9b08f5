package io.dispatchd.client;

import io.dispatchd.protocol.Ack;
import io.dispatchd.server.DispatchServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usage example of {@code client-sample/README.md}, compiled and run against the real server,
 * so the README cannot rot: the lines between the markers below must appear verbatim in the README.
 */
@Timeout(30)
class ReadmeExampleTest {

    private static final Path THIS_FILE = Path.of("src/test/java/io/dispatchd/client/ReadmeExampleTest.java");

    @Test
    void theReadmeExampleRunsAndPrintsTheAcks() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (DispatchServer server = TestServers.fast()) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            example(server.address().getPort());
        } finally {
            System.setOut(stdout);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines()).containsExactly("OK", "OK", "OK", "BAD_REQUEST");
    }

    @Test
    void theReadmeShowsTheExampleVerbatim() throws Exception {
        ReadmeExamples.assertReadmeShows(THIS_FILE, "README example");
    }

    @SuppressWarnings("unused")
    private static void example(int port) throws Exception {
        // README example begins
        ClientOptions options = ClientOptions.of("127.0.0.1", port);
        try (DispatchClient client = DispatchClient.connect(options)) {
            Ack ack = client.send("a", "88");                  // blocks for the ack
            System.out.println(ack);                           // OK

            List<CompletableFuture<Ack>> acks = new ArrayList<>();
            acks.add(client.sendAsync("b", "12"));             // pipelined: no waiting
            acks.add(client.sendAsync("c", "44"));
            acks.add(client.sendAsync("zz", "37"));            // unknown service
            for (CompletableFuture<Ack> each : acks) {
                System.out.println(each.get());                // OK, OK, BAD_REQUEST: in order
            }
        } catch (ConnectFailedException e) {
            System.err.println(e.getMessage());                // ... at 127.0.0.1:7070: connection refused
        }
        // README example ends
    }
}
