package io.dispatchd.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TLS and token example of {@code client-sample/README.md}, compiled and run against the
 * scripted stand-in over mutual TLS wanting a token, so the README cannot rot: the lines between
 * the markers below must appear verbatim in the README.
 */
@Timeout(30)
class ReadmeTlsExampleTest {

    private static final Path THIS_FILE = Path.of("src/test/java/io/dispatchd/client/ReadmeTlsExampleTest.java");
    private static final String TOKEN = "readme-t0ken";

    @Test
    void theReadmeExampleRunsAndPrintsTheAck(@TempDir Path dir) throws Exception {
        TlsFixture certs = TlsFixture.create(dir);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (ScriptedServer server = new ScriptedServer(line -> "+", certs.mutualServerContext(), TOKEN)) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            example(server.port(), certs.ca().certFile(), certs.client().certFile(), certs.client().keyFile(), TOKEN);
            assertThat(server.lines()).containsExactly("AUTH " + TOKEN, "a 88");
        } finally {
            System.setOut(stdout);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines()).containsExactly("OK");
    }

    @Test
    void theReadmeShowsTheExampleVerbatim() throws Exception {
        ReadmeExamples.assertReadmeShows(THIS_FILE, "README TLS example");
    }

    @SuppressWarnings("unused")
    private static void example(int port, Path caFile, Path certFile, Path keyFile, String token) {
        // README TLS example begins
        ClientOptions options = ClientOptions.of("localhost", port)          // the name the certificate holds
                .withTls(TlsOptions.trusting(caFile)                         // or TlsOptions.defaults(): the JVM's CAs
                        .withClientCertificate(certFile, keyFile))           // only if the server asks for one
                .withToken(token);                                           // sent first: AUTH token
        try (DispatchClient client = DispatchClient.connect(options)) {
            System.out.println(client.send("a", "88"));                      // OK: AUTH's own '+' is not seen
        } catch (AuthenticationFailedException e) {
            System.err.println(e.getMessage());                              // ... the server refused the token
        } catch (ConnectFailedException e) {
            System.err.println(e.getMessage());                              // ... TLS handshake failed: ...
        }
        // README TLS example ends
    }
}
