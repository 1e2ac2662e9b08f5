package io.dispatchd.server;

import io.dispatchd.server.config.ServerConfig;
import io.dispatchd.server.service.Gate;
import io.dispatchd.server.service.RecordService;
import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fronts and workers on a real Kafka broker in this JVM ({@link KafkaTestCluster}), each a whole
 * {@link DispatchServer} as a user starts it. Each test has a topic and a share group of its own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaServerTest {

    private static KafkaTestCluster kafka;

    private final List<DispatchServer> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private String topic;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaTestCluster.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @org.junit.jupiter.api.BeforeEach
    void nameTopic(TestInfo test) {
        topic = "t-" + test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void stopServers() {
        servers.forEach(DispatchServer::shutdownAsync);
        servers.forEach(DispatchServer::awaitTermination);
    }

    private DispatchServer node(String role, String... flags) throws StartupException {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--admin-port", "0", "--kafka", kafka.bootstrap(),
                "--role", role, "--kafka-topic", topic, "--kafka-group", topic));
        args.addAll(List.of(flags));
        DispatchServer server = DispatchServer.start(ServerConfig.fromArgs(java.util.Map.of(), args.toArray(String[]::new)));
        servers.add(server);
        return server;
    }

    @Test
    void aFrontAndTwoWorkersRunEveryAckedJobAndShareTheWork() throws Exception {
        DispatchServer one = node("worker");
        DispatchServer two = node("worker");
        DispatchServer front = node("front");
        assertThat(one.address()).as("a worker opens no request port").isNull();
        int jobs = 2000;
        StringBuilder wire = new StringBuilder();
        IntStream.range(0, jobs).forEach(i -> wire.append("record ").append(topic).append('-').append(i).append('\n'));

        try (TestConnection c = new TestConnection(front.address())) {
            assertThat(c.send(wire.toString()).read(jobs)).isEqualTo("+".repeat(jobs));
        }
        assertThat(count(front, "dispatchd.kafka.jobs.produced")).isEqualTo(jobs);

        await().atMost(Duration.ofSeconds(60)).until(() ->
                IntStream.range(0, jobs).allMatch(i -> RecordService.timesRan(topic + "-" + i) >= 1));
        double ranOnOne = completed(one, "record", "ok");
        double ranOnTwo = completed(two, "record", "ok");
        assertThat(ranOnOne).as("both workers took jobs").isPositive();
        assertThat(ranOnTwo).as("both workers took jobs").isPositive();
        assertThat(ranOnOne + ranOnTwo).isGreaterThanOrEqualTo(jobs);
        assertThat(completed(front, "record", "ok")).as("a front runs nothing").isZero();
        System.out.printf("KafkaServerTest: %d jobs, %.0f ran on one worker and %.0f on the other%n",
                jobs, ranOnOne, ranOnTwo);
    }

    @Test
    void aJobThatFailsIsReleasedForAnotherTryUpToMaxAttemptsThenRejected() throws Exception {
        DispatchServer node = node("both", "--max-attempts", "3");
        try (TestConnection c = new TestConnection(node.address())) {
            assertThat(c.send("fail once-too-often\n").read(1)).as("accept mode: the broker has it").isEqualTo("+");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> count(node, "dispatchd.kafka.jobs.rejected") == 1);
        assertThat(completed(node, "fail", "failed")).as("delivered and failed three times").isEqualTo(3);
        assertThat(count(node, "dispatchd.kafka.jobs.released")).as("released after the first two").isEqualTo(2);
        assertThat(count(node, "dispatchd.kafka.redeliveries")).isEqualTo(2);
    }

    @Test
    void aDrainingWorkerReleasesTheJobsItCouldNotFinishAndAnotherWorkerRunsThem() throws Exception {
        DispatchServer front = node("front");
        DispatchServer first = node("worker", "--workers", "1", "--drain-timeout", "500ms");
        try (Gate gate = Gate.create()) {
            try (TestConnection c = new TestConnection(front.address())) {
                String three = gate.request("1") + "\n" + gate.request("2") + "\n" + gate.request("3") + "\n";
                assertThat(c.send(three).read(3)).isEqualTo("+++");
            }
            gate.awaitArrivals(1); // one runs on the single worker thread and waits; the others wait behind it
            first.shutdownAsync();
            first.awaitTermination();
            assertThat(completed(first, "gate", "ok")).as("the gate never opened on the first worker").isZero();

            DispatchServer second = node("worker");
            gate.open();
            await().atMost(Duration.ofSeconds(30)).until(() -> completed(second, "gate", "ok") == 3);
            assertThat(count(second, "dispatchd.kafka.redeliveries")).as("each had been delivered to the first")
                    .isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void whileTheBrokersAreGoneTheFrontAnswersBusyAndIsUnhealthyAndItRecoversWhenTheyReturn() throws Exception {
        Path config = tmp.resolve("kafka.properties");
        Files.writeString(config, "delivery.timeout.ms=3000\nrequest.timeout.ms=1000\n");
        DispatchServer front = node("front", "--kafka-config", config.toString());
        try (TestConnection c = new TestConnection(front.address())) {
            assertThat(c.send("record " + topic + "-before\n").read(1)).isEqualTo("+");
            assertThat(health(front)).isEqualTo(200);

            kafka.stopBroker();
            try {
                assertThat(c.send("record " + topic + "-while\n").read(1)).as("not taken in time").isEqualTo("!");
                await().atMost(Duration.ofSeconds(20)).until(() -> health(front) == 503);
            } finally {
                kafka.startBroker();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> health(front) == 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> c.send("record " + topic + "-after\n").read(1).equals("+"));
        }
    }

    private int health(DispatchServer server) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.adminAddress().getPort() + "/health"))
                .timeout(Duration.ofSeconds(10)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static double count(DispatchServer server, String name) {
        Counter c = server.metrics().registry().find(name).counter();
        return c == null ? 0 : c.count();
    }

    private static double completed(DispatchServer server, String service, String outcome) {
        Counter c = server.metrics().registry().find("dispatchd.jobs.completed")
                .tag("service", service).tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }
}
