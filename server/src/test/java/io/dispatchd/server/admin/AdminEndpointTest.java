package io.dispatchd.server.admin;

import io.dispatchd.server.DispatchServer;
import io.dispatchd.server.config.ServerConfig;
import io.dispatchd.server.service.Gate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.dispatchd.server.metrics.Scrape.gauge;
import static io.dispatchd.server.metrics.Scrape.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The admin endpoint over real HTTP on an ephemeral port, after known traffic. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminEndpointTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private DispatchServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(String... flags) throws Exception {
        String[] args = new String[flags.length + 4];
        args[0] = "--port";
        args[1] = "0";
        args[2] = "--admin-port";
        args[3] = "0";
        System.arraycopy(flags, 0, args, 4, flags.length);
        server = DispatchServer.start(ServerConfig.fromArgs(java.util.Map.of(), args));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        InetSocketAddress a = server.adminAddress();
        return URI.create("http://127.0.0.1:" + a.getPort() + path);
    }

    @Test
    void metricsCountKnownTrafficIncludingAFailedAndATimedOutJob() throws Exception {
        start("--ack", "complete", "--job-timeout", "200ms", "--engine-iterations", "2", "--engine-pause", "1ms");
        try (Gate neverOpened = Gate.create(); Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            StringBuilder lines = new StringBuilder("a 1\nb 2\nfail x\n" + neverOpened.request("") + "\nzz 1\nbad\n");
            for (int i = 0; i < 50; i++) {
                lines.append("unknown").append(i).append(" q\n"); // must not grow the label set
            }
            out.write(lines.toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] acks = in.readNBytes(56);
            assertThat(new String(acks, StandardCharsets.US_ASCII)).isEqualTo("++--??" + "?".repeat(50));

            HttpResponse<String> r = get("/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue(AdminHandler.PROMETHEUS_TEXT);
            String m = r.body();
            assertThat(sample(m, "dispatchd_requests_total", "service", "a", "ack", "ok")).isEqualTo(1);
            assertThat(sample(m, "dispatchd_requests_total", "service", "b", "ack", "ok")).isEqualTo(1);
            assertThat(sample(m, "dispatchd_requests_total", "service", "fail", "ack", "failed")).isEqualTo(1);
            assertThat(sample(m, "dispatchd_requests_total", "service", "gate", "ack", "failed")).isEqualTo(1);
            assertThat(sample(m, "dispatchd_requests_total", "service", "(unknown)", "ack", "bad_request")).isEqualTo(51);
            assertThat(sample(m, "dispatchd_requests_total", "service", "(malformed)", "ack", "bad_request")).isEqualTo(1);
            assertThat(sample(m, "dispatchd_jobs_completed_total", "service", "a", "outcome", "ok")).isEqualTo(1);
            assertThat(sample(m, "dispatchd_jobs_completed_total", "service", "fail", "outcome", "failed")).isEqualTo(1);
            assertThat(sample(m, "dispatchd_jobs_completed_total", "service", "gate", "outcome", "failed")).isEqualTo(1);
            assertThat(sample(m, "dispatchd_jobs_timed_out_total", "service", "gate")).isEqualTo(1);
            assertThat(sample(m, "dispatchd_job_duration_seconds_count", "service", "a")).isEqualTo(1);
            assertThat(sample(m, "dispatchd_job_duration_seconds_bucket", "service", "gate", "le", "+Inf")).isEqualTo(1);
            assertThat(gauge(m, "dispatchd_connections")).isEqualTo(1);
            assertThat(gauge(m, "dispatchd_workers")).isEqualTo(ServerConfig.DEFAULT_WORKERS);
            assertThat(sample(m, "dispatchd_received_bytes_total")).isEqualTo(lines.length());
            assertThat(sample(m, "dispatchd_sent_bytes_total")).isEqualTo(56);
            assertThat(m).contains("jvm_memory_used_bytes").contains("process_cpu_usage")
                    .doesNotContain("unknown7").doesNotContain("service=\"zz\"");
            await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
                String later = get("/metrics").body();
                assertThat(gauge(later, "dispatchd_jobs_running")).isZero();
                assertThat(gauge(later, "dispatchd_jobs_queued")).isZero();
            });
        }
    }

    @Test
    void connectionsOverTheLimitAreCounted() throws Exception {
        start("--max-connections", "1");
        try (Socket first = new Socket("127.0.0.1", server.address().getPort())) {
            // Each connection takes its place on its own event loop: opened back to back, the second
            // could be counted before the first. Only a connection counted first is "the first".
            await().atMost(10, TimeUnit.SECONDS).until(() -> gauge(get("/metrics").body(), "dispatchd_connections") == 1);
            try (Socket second = new Socket("127.0.0.1", server.address().getPort())) {
                second.setSoTimeout(10_000);
                assertThat(second.getInputStream().read()).isEqualTo('!');
                assertThat(second.getInputStream().read()).as("then closed").isEqualTo(-1);
            }
            assertThat(sample(get("/metrics").body(), "dispatchd_connections_rejected_total")).isEqualTo(1);
            assertThat(first.isConnected()).isTrue();
        }
    }

    @Test
    void unknownPathsAre404AndOnlyGetAndHeadAreAllowed() throws Exception {
        start();
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
        HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/health")).method("HEAD",
                HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(get("/").body()).contains("/metrics").contains("/health");
    }

    @Test
    void healthIs200WhileServingAnd503WhileDraining() throws Exception {
        start("--ack", "complete");
        HttpResponse<String> serving = get("/health");
        assertThat(serving.statusCode()).isEqualTo(200);
        assertThat(serving.body()).isEqualTo("serving\n");

        try (Gate gate = Gate.create(); Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((gate.request("") + "\n").getBytes(StandardCharsets.US_ASCII));
            gate.awaitArrivals(1);
            java.util.concurrent.CompletableFuture<Void> done = server.shutdownAsync();
            HttpResponse<String> draining = get("/health");
            assertThat(draining.statusCode()).isEqualTo(503);
            assertThat(draining.body()).isEqualTo("draining\n");
            assertThat(done).as("the drain waits for the running job").isNotDone();
            gate.open();
            assertThat(s.getInputStream().read()).as("the owed ack still comes").isEqualTo('+');
        }
    }
}
