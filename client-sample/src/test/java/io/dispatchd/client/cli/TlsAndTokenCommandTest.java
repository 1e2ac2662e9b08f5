package io.dispatchd.client.cli;

import io.dispatchd.client.ScriptedServerAccess;
import io.dispatchd.client.TlsFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code send} and {@code bench} with {@code --tls}, its files and a token, end to end in-process
 * against the scripted stand-in over TLS (certificates made at test time), which wants
 * {@code AUTH token} first as the real server does with {@code --auth-token-file}.
 */
@Timeout(60)
class TlsAndTokenCommandTest {

    private static final String TOKEN = "cli-s3cret";
    private static final Pattern HANDSHAKES = Pattern.compile(
            "(?m)^tls {9}(\\d+) handshakes in ([\\d.]+) s = ([\\d.]+)/s, TLSv1\\.[23] TLS_\\w+$");

    @TempDir
    static Path dir;

    private static TlsFixture certs;
    private static Path tokenFile;

    @BeforeAll
    static void makeFiles() throws Exception {
        certs = TlsFixture.create(dir);
        tokenFile = Files.writeString(dir.resolve("token"), "\n# the token for the tests\n  " + TOKEN + "  \nnot this one\n");
    }

    /** {@code --host localhost --port PORT --tls --tls-ca-file CA}, then {@code more}. */
    private static String[] tls(String command, ScriptedServerAccess server, String... more) {
        List<String> args = new ArrayList<>(List.of(command, "--host", "localhost", "--port", "" + server.port(),
                "--tls", "--tls-ca-file", certs.ca().certFile().toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    // send

    @Test
    void sendOverTlsWithATokenFilePrintsTheRequestsAckOnly() throws Exception {
        try (var server = ScriptedServerAccess.replying("+", certs.serverContext(), TOKEN)) {
            CliRun run = CliRun.run(tls("send", server, "--token-file", tokenFile.toString(), "a", "88"));

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).isEqualTo("+ OK\n");
            assertThat(server.lines()).containsExactly("AUTH " + TOKEN, "a 88");
        }
    }

    @Test
    void sendStdinLinesOverTlsWithTheTokenFromTheEnvironment() throws Exception {
        try (var server = ScriptedServerAccess.replying("+", certs.serverContext(), TOKEN)) {
            CliRun run = CliRun.withEnv(Map.of("DISPATCHD_TOKEN", TOKEN), "a 88\nb 12\n", tls("send", server));

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.outLines()).containsExactly("+ OK", "+ OK");
            assertThat(server.lines()).containsExactly("AUTH " + TOKEN, "a 88", "b 12");
        }
    }

    @Test
    void sendWithAClientCertificateForMutualTls() throws Exception {
        try (var server = ScriptedServerAccess.replying("+", certs.mutualServerContext(), null)) {
            CliRun run = CliRun.run(tls("send", server, "--tls-cert-file", certs.client().certFile().toString(),
                    "--tls-key-file", certs.client().keyFile().toString(), "a", "88"));

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(server.sessions().poll().getPeerPrincipal().getName()).isEqualTo("CN=client");
        }
    }

    @Test
    void aRefusedTokenIsOneLineWithoutTheTokenAndExitOne() throws Exception {
        try (var server = ScriptedServerAccess.replying("+", certs.serverContext(), "another-token")) {
            CliRun run = CliRun.run(tls("send", server, "--token-file", tokenFile.toString(), "a", "88"));

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).isEqualTo("dispatchd-client: authentication failed at localhost:" + server.port()
                    + ": the server refused the token (it answered '?' to AUTH)\n");
        }
    }

    @Test
    void aHandshakeFailureIsOneLineAndExitOne() throws Exception {
        try (var server = ScriptedServerAccess.replying("+", certs.otherHostContext(), null)) {
            CliRun run = CliRun.run(tls("send", server, "a", "88"));

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("dispatchd-client: cannot connect to dispatchd at localhost:" + server.port()
                    + ": TLS handshake failed: ").hasLineCount(1);
        }
    }

    @Test
    void aMissingCaFileIsExitTwoWithAOneLineReason() {
        Path missing = dir.resolve("no-such-ca.crt");

        CliRun run = CliRun.run("send", "--tls", "--tls-ca-file", missing.toString(), "a", "88");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).hasValue("--tls-ca-file " + missing + ": no such file");
        assertThat(run.err()).contains("Usage:");
    }

    @Test
    void tlsAndTokenFlagsThatCannotBeUsedAreExitTwo() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not-pem.crt"), "hello\n");
        Path blank = Files.writeString(dir.resolve("blank-token"), "\n  \n# a comment\n");
        String ca = certs.ca().certFile().toString();
        String cert = certs.client().certFile().toString();

        assertThat(firstErrLine("send", "--tls-ca-file", ca, "a", "88")).isEqualTo(
                "--tls-ca-file, --tls-cert-file and --tls-key-file go with --tls");
        assertThat(firstErrLine("send", "--tls", "--tls-cert-file", cert, "a", "88")).isEqualTo(
                "--tls-cert-file and --tls-key-file go together: a client certificate needs its key");
        assertThat(firstErrLine("send", "--tls", "--tls-ca-file", notPem.toString(), "a", "88")).startsWith(
                "CA file " + notPem);
        assertThat(firstErrLine("bench", "--tls", "--tls-cert-file", cert, "--tls-key-file", cert)).startsWith(
                "client key file " + cert + " holds no unencrypted PKCS#8 PEM key");
        assertThat(firstErrLine("send", "--token-file", dir.resolve("no-token").toString(), "a", "88")).isEqualTo(
                "--token-file " + dir.resolve("no-token") + ": no such file");
        assertThat(firstErrLine("send", "--token-file", blank.toString(), "a", "88")).startsWith(
                "--token-file " + blank + " holds no token");
        assertThat(firstErrLine("bench", "--raw", "x\\n", "--token-file", tokenFile.toString())).isEqualTo(
                "--token-file goes with dispatchd requests, not --raw");
        assertThat(firstErrLine("bench", "--port", "0")).isEqualTo("--port must be 1-65535: 0"); // beside them in the mixin
        CliRun badEnv = CliRun.withEnv(Map.of("DISPATCHD_TOKEN", "a\u0007b"), "", "send", "a", "88");
        assertThat(badEnv.exitCode()).isEqualTo(2);
        assertThat(badEnv.err()).startsWith("$DISPATCHD_TOKEN: token must not contain control character U+0007");
    }

    private static String firstErrLine(String... args) {
        CliRun run = CliRun.run(args);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        return run.err().lines().findFirst().orElseThrow();
    }

    // bench

    @Test
    void benchOverTlsWithATokenHandshakesAndAuthenticatesEachConnectionBeforeTheRun() throws Exception {
        try (var server = ScriptedServerAccess.replying("+", certs.serverContext(), TOKEN)) {
            CliRun run = CliRun.run(tls("bench", server, "--token-file", tokenFile.toString(),
                    "-n", "600", "-c", "3", "-P", "4", "-q"));

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("requests    600 in")
                    .contains("replies     + OK 600, - FAILED 0, ? BAD_REQUEST 0, ! BUSY 0, other 0");
            Matcher handshakes = HANDSHAKES.matcher(run.out());
            assertThat(handshakes.find()).as(run.out()).isTrue();
            assertThat(handshakes.group(1)).isEqualTo("3");
            assertThat(Double.parseDouble(handshakes.group(3))).isPositive();
            assertThat(server.sessions()).hasSize(3);
            assertThat(server.lines().stream().filter(l -> l.equals("AUTH " + TOKEN))).hasSize(3);
            assertThat(server.lines().stream().filter(l -> l.startsWith("a "))).hasSize(600);
        }
    }

    @Test
    void benchRawModeOverTlsLoadsAnyServer() throws Exception {
        // a Redis with TLS: bench --port 6380 --tls --tls-ca-file ca.crt --raw 'LPUSH q 88\r\n' --reply line --expect ':'
        try (var redisLike = ScriptedServerAccess.replying(":1\r\n", certs.serverContext(), null)) {
            CliRun run = CliRun.withEnv(Map.of("DISPATCHD_TOKEN", TOKEN), "", tls("bench", redisLike,
                    "-n", "300", "-c", "2", "-P", "2", "-q", "--raw", "LPUSH q 88\\r\\n", "--reply", "line", "--expect", ":",
                    "--json"));

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("\"requests\":300,").contains("\"expected\":300")
                    .containsPattern("\"tls\":\\{\"handshakes\":2,\"seconds\":[\\d.]+,\"per_second\":[\\d.]+,"
                            + "\"protocol\":\"TLSv1\\.[23]\"");
            assertThat(redisLike.lines()).as("no AUTH in --raw mode").allMatch(l -> l.equals("LPUSH q 88"));
        }
    }

    @Test
    void benchCsvGainsTheHandshakeColumnsWithTls() throws Exception {
        try (var server = ScriptedServerAccess.replying("+", certs.serverContext(), null)) {
            CliRun run = CliRun.run(tls("bench", server, "-n", "100", "-c", "2", "-q", "--csv"));

            assertThat(run.exitCode()).as(run.err()).isZero();
            List<String> header = List.of(run.outLines().get(0).split(","));
            String[] row = run.outLines().get(1).split(",");
            assertThat(row).hasSameSizeAs(header.toArray());
            assertThat(header).endsWith("tls_handshakes", "tls_seconds", "tls_per_second");
            assertThat(row[header.indexOf("tls_handshakes")]).isEqualTo("2");
        }
    }

    @Test
    void benchHandshakeFailureIsOneLineAndExitOne() throws Exception {
        try (var server = ScriptedServerAccess.replying("+", certs.otherHostContext(), null)) {
            CliRun run = CliRun.run(tls("bench", server, "-n", "10", "-c", "2", "-q"));

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("dispatchd-client: TLS handshake with localhost:" + server.port() + " failed: ")
                    .hasLineCount(1);
            assertThat(server.lines()).isEmpty();
        }
    }

    @Test
    void benchWithARefusedTokenIsOneLineAndExitOne() throws Exception {
        try (var server = ScriptedServerAccess.replying("+", certs.serverContext(), "another-token")) {
            CliRun run = CliRun.run(tls("bench", server, "--token-file", tokenFile.toString(), "-n", "10", "-c", "2", "-q"));

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("dispatchd-client: authentication failed at localhost:" + server.port()
                    + ": the server refused the token (it answered '?' to AUTH)\n");
            assertThat(server.lines()).allMatch(l -> l.startsWith("AUTH "));
        }
    }
}
