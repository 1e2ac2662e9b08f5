package io.dispatchd.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dispatchd.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The dashboard's endpoints over real sockets: the page, /stats, /events, their bound and the admin token. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final List<DispatchServer> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        servers.forEach(DispatchServer::close);
    }

    private DispatchServer start(String... flags) throws StartupException {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--admin-port", "0", "--engine-iterations", "0"));
        args.addAll(List.of(flags));
        DispatchServer s = DispatchServer.start(ServerConfig.fromArgs(Map.of(), args.toArray(String[]::new)));
        servers.add(s);
        return s;
    }

    private HttpResponse<String> get(DispatchServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminAddress().getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageItsScriptAndTheEndpointListAreServedFromTheJar() throws Exception {
        DispatchServer server = start();
        HttpResponse<String> page = get(server, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>dispatchd</title>", "src=\"/dashboard.js\"", "href=\"/dashboard.css\"")
                .as("nothing from elsewhere").doesNotContain("http://", "https://");
        assertThat(get(server, "/dashboard.js").body()).contains("new TextDecoder()").doesNotContain("http");
        assertThat(get(server, "/dashboard.css").statusCode()).isEqualTo(200);
        assertThat(get(server, "/api").body()).contains("GET /stats", "GET /events", "GET /metrics", "GET /health");
    }

    @Test
    void statsCountTheTrafficOnceASecond() throws Exception {
        DispatchServer server = start();
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("a 1\n".repeat(30) + "zz 1\n").read(31)).isEqualTo("+".repeat(30) + "?");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> stats(server).at("/requests/ok").asLong() == 30);
        JsonNode s = stats(server);
        assertThat(s.at("/requests/bad_request").asLong()).isEqualTo(1);
        assertThat(s.at("/jobs/completedOk").asLong()).isEqualTo(30);
        assertThat(s.at("/config/ack").asText()).isEqualTo("accept");
        assertThat(s.at("/backend/kind").asText()).isEqualTo("memory");
        assertThat(s.at("/draining").asBoolean()).isFalse();
        assertThat(s.at("/durationSeconds/a/p50").isNumber()).as("a job of a ran").isTrue();
        assertThat(s.at("/durationSeconds/b/p50").isNull()).as("none of b").isTrue();
        assertThat(s.get("history").size()).isPositive();
    }

    @Test
    void eventsPushASampleEverySecondToABoundedNumberOfStreams() throws Exception {
        DispatchServer server = start();
        URI events = URI.create("http://127.0.0.1:" + server.adminAddress().getPort() + "/events");
        List<HttpResponse<java.io.InputStream>> open = new ArrayList<>();
        try {
            HttpResponse<java.io.InputStream> first = http.send(HttpRequest.newBuilder(events).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            open.add(first);
            assertThat(first.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
            BufferedReader lines = new BufferedReader(new InputStreamReader(first.body(), StandardCharsets.UTF_8));
            int samples = 0;
            long firstTime = -1;
            long lastTime = -1;
            while (samples < 3) {
                String line = lines.readLine();
                if (line.startsWith("data: ")) {
                    JsonNode sample = JSON.readTree(line.substring(6));
                    long t = sample.get("time").asLong();
                    if (firstTime < 0) {
                        assertThat(sample.get("history").size()).as("a stream starts with the whole history").isPositive();
                    } else {
                        assertThat(sample.has("history")).as("then each second's rates only").isFalse();
                        assertThat(sample.at("/latest/ack/ok").isNumber()).isTrue();
                    }
                    firstTime = firstTime < 0 ? t : firstTime;
                    lastTime = t;
                    samples++;
                }
            }
            assertThat(lastTime).as("new samples, not the same one again").isGreaterThan(firstTime);
            for (int i = 1; i < 16; i++) {
                open.add(http.send(HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofInputStream()));
            }
            assertThat(open).allMatch(r -> r.statusCode() == 200);
            HttpResponse<String> oneTooMany = get(server, "/events");
            assertThat(oneTooMany.statusCode()).isEqualTo(503);
            assertThat(oneTooMany.body()).contains("poll /stats");
        } finally {
            for (HttpResponse<java.io.InputStream> r : open) {
                r.body().close();
            }
        }
    }

    @Test
    void withAnAdminTokenThePageLoadsAndItsDataNeedTheBearerToken() throws Exception {
        Path tokens = Files.writeString(tmp.resolve("admin-tokens"), "s3cret\n");
        DispatchServer server = start("--admin-token-file", tokens.toString());
        assertThat(get(server, "/").statusCode()).as("the page asks for the token itself").isEqualTo(200);
        assertThat(get(server, "/stats").statusCode()).isEqualTo(401);
        assertThat(get(server, "/events").statusCode()).isEqualTo(401);
        assertThat(get(server, "/stats", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
    }

    @Test
    void aDrainingServerSaysSoInItsStats() throws Exception {
        DispatchServer server = start("--drain-timeout", "5s");
        try (TestConnection c = new TestConnection(server.address())) {
            c.send("sleep 2s\n");
            await().until(() -> server.jobsRunning() == 1);
            server.shutdownAsync();
            await().atMost(Duration.ofSeconds(4)).until(() -> stats(server).at("/draining").asBoolean());
        }
    }

    private JsonNode stats(DispatchServer server) throws Exception {
        return JSON.readTree(get(server, "/stats").body());
    }
}
