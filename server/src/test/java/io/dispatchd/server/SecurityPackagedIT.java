package io.dispatchd.server;

import io.dispatchd.testing.TlsCertificates;
import io.dispatchd.testing.SystemTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar on a network footing, driven by third-party clients: {@code openssl s_client}
 * for the request port and {@code curl} for the HTTPS admin endpoint. Skipped, saying how to
 * install them, where they are missing ({@code .ci/run} installs both).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecurityPackagedIT {

    private static final Pattern ADMIN = Pattern.compile("dispatchd admin on (https?)://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path tmp;

    @Test
    void openSslAndCurlTalkToTheTlsServerWithATokenAndSighupReloadsTheCertificate() throws Exception {
        SystemTools.assumeInstalled("openssl", "apt-get install -y openssl");
        SystemTools.assumeInstalled("curl", "apt-get install -y curl");
        TlsCertificates.Issued ca = TlsCertificates.authority(tmp, "ca");
        TlsCertificates.Issued cert = TlsCertificates.server(tmp, "server", ca);
        Path tokens = Files.writeString(tmp.resolve("tokens"), "t0ken\n");
        Path adminTokens = Files.writeString(tmp.resolve("admin-tokens"), "adm1n\n");
        try (ServerProcess server = ServerProcess.start("--port", "0", "--admin-port", "0",
                "--tls-cert-file", cert.certFile().toString(), "--tls-key-file", cert.keyFile().toString(),
                "--auth-token-file", tokens.toString(), "--admin-token-file", adminTokens.toString())) {
            int port = server.awaitListening();
            Matcher admin = server.out.stream().map(ADMIN::matcher).filter(Matcher::find).findFirst().orElseThrow();
            assertThat(admin.group(1)).as("the admin line says https").isEqualTo("https");
            int adminPort = Integer.parseInt(admin.group(2));

            assertThat(sClient(port, ca.certFile(), "AUTH t0ken\na 88\nb 12\nQUIT\n")).isEqualTo("+++");
            assertThat(sClient(port, ca.certFile(), "AUTH nope\na 88\n")).isEqualTo("?");

            assertThat(run(List.of("curl", "-s", "--cacert", ca.certFile().toString(),
                    "https://localhost:" + adminPort + "/health"))).isEqualTo("serving\n");
            assertThat(run(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
                    ca.certFile().toString(), "https://localhost:" + adminPort + "/metrics"))).isEqualTo("401");
            assertThat(run(List.of("curl", "-s", "--cacert", ca.certFile().toString(), "-H", "Authorization: Bearer adm1n",
                    "https://localhost:" + adminPort + "/metrics"))).contains("dispatchd_auth_failures_total 1.0");

            Path fresh = Files.createDirectory(tmp.resolve("fresh"));
            TlsCertificates.Issued newCa = TlsCertificates.authority(fresh, "new-ca");
            TlsCertificates.Issued renewed = TlsCertificates.server(fresh, "server", newCa);
            Files.copy(renewed.certFile(), cert.certFile(), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.keyFile(), cert.keyFile(), StandardCopyOption.REPLACE_EXISTING);
            run(List.of("kill", "-HUP", String.valueOf(server.process.pid())));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> server.err.stream().anyMatch(l -> l.contains("TLS certificate reloaded")));
            assertThat(sClient(port, newCa.certFile(), "AUTH t0ken\na 1\nQUIT\n")).isEqualTo("++");

            server.terminate();
            assertThat(server.awaitExit()).isZero();
        }
    }

    @Test
    void protectedModeRefusesANetworkBindWithoutAuthenticationExitingTwo() throws Exception {
        try (ServerProcess server = ServerProcess.start("--bind", "0.0.0.0", "--port", "0", "--admin-port", "off")) {
            assertThat(server.awaitExit()).isEqualTo(2);
            assertThat(server.err.get(0)).startsWith("dispatchd: protected mode: --bind 0.0.0.0 listens beyond this machine");
            assertThat(server.out).isEmpty();
        }
    }

    /**
     * {@code openssl s_client}, verifying the server's certificate and host name against {@code caFile},
     * with {@code input} on its stdin; returns what the server sent, once it closed the connection.
     */
    private static String sClient(int port, Path caFile, String input) throws Exception {
        return run(List.of("openssl", "s_client", "-quiet", "-connect", "127.0.0.1:" + port, "-servername", "localhost",
                "-CAfile", caFile.toString(), "-verify_return_error", "-verify_hostname", "localhost"), input);
    }

    private static String run(List<String> command) throws Exception {
        return run(command, "");
    }

    private static String run(List<String> command, String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        // s_client -quiet keeps reading after its stdin ends (-ign_eof): it exits when the server closes
        if (!command.get(0).equals("openssl")) {
            p.getOutputStream().close();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s ended", command.get(0)).isTrue();
        return out;
    }
}
