package io.dispatchd.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dispatchd.server.config.ServerConfig;
import io.dispatchd.server.journal.JournaledAdmission;
import io.dispatchd.server.metrics.Scrape;
import io.dispatchd.server.service.Gate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole server with {@code --journal}, in this JVM, over real sockets on 127.0.0.1 and ephemeral ports. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JournalServerTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<DispatchServer> servers = new ArrayList<>();

    @TempDir
    Path journal;

    @AfterEach
    void stopAll() {
        for (DispatchServer s : servers) {
            s.close();
        }
    }

    private DispatchServer start(String... flags) throws StartupException {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--admin-port", "0", "--journal", journal.toString()));
        args.addAll(List.of(flags));
        DispatchServer server = DispatchServer.start(ServerConfig.fromArgs(args.toArray(String[]::new)));
        servers.add(server);
        return server;
    }

    @Test
    void metricsShowTheJournalAndWithFsyncAlwaysEveryAckedPassWasFsynced() throws Exception {
        DispatchServer server = start("--fsync", "always", "--engine-iterations", "0");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            lines.append("a q").append(i).append('\n');
        }
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send(lines.toString()).read(50)).isEqualTo("+".repeat(50));
        }

        String metrics = get(server, "/metrics").body();
        assertThat(Scrape.gauge(metrics, "dispatchd_journal_bytes"))
                .as("header and 50 admission records at least").isGreaterThanOrEqualTo(8 + 50 * 28);
        assertThat(Scrape.sample(metrics, "dispatchd_journal_fsync_seconds_count")).isPositive();
        assertThat(Scrape.sample(metrics, "dispatchd_jobs_recovered_total")).isZero();
        assertThat(Scrape.sample(metrics, "dispatchd_journal_write_errors_total")).isZero();
        HttpResponse<String> health = get(server, "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("serving");
    }

    @Test
    void aJobStillRunningAtTheDrainDeadlineIsKeptInTheJournalAndRunsAgainAtTheNextStart() throws Exception {
        DispatchServer first = start("--drain-timeout", "100ms");
        try (Gate gate = Gate.create(); CapturedLogs log = new CapturedLogs(DispatchServer.class, JournaledAdmission.class)) {
            try (TestConnection c = new TestConnection(first.address())) {
                assertThat(c.send(gate.request("") + "\n").read(1)).isEqualTo("+");
            }
            gate.awaitArrivals(1); // and it stays there: the gate is not opened
            first.close();
            assertThat(log.messages()).anyMatch(m -> m.contains(
                    "drain deadline passed, job kept in the journal to run at the next start (still running): "
                            + "service=gate qual=" + gate.qual("")));

            DispatchServer second = start("--drain-timeout", "100ms");
            assertThat(log.messages()).anyMatch(m -> m.startsWith(
                    "journal " + journal + ": 1 jobs admitted and not completed before will run again"));
            assertThat(Scrape.sample(get(second, "/metrics").body(), "dispatchd_jobs_recovered_total")).isEqualTo(1);
            gate.awaitArrivals(2); // run again, and held again
            second.close();
            assertThat(log.messages()).anyMatch(m -> m.contains("job kept in the journal")
                    && m.contains("service=gate qual=" + gate.qual("")) && m.contains("attempt=2"));
        }
    }

    @Test
    void aSecondServerOnTheSameJournalCannotStartAndNamesTheHolder() throws Exception {
        DispatchServer holder = start();

        assertThatThrownBy(() -> start()).isInstanceOf(StartupException.class)
                .hasMessage("journal directory " + journal + " is in use by process " + ProcessHandle.current().pid());
        try (TestConnection c = new TestConnection(holder.address())) {
            assertThat(c.send("a 1\n").read(1)).as("the holder still serves").isEqualTo("+");
        }
    }

    private HttpResponse<String> get(DispatchServer server, String path) throws Exception {
        InetSocketAddress admin = server.adminAddress();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
                .timeout(Duration.ofSeconds(10)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The formatted messages some classes log while it is open. */
    private static final class CapturedLogs implements AutoCloseable {
        private final List<Logger> loggers = new ArrayList<>();
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        CapturedLogs(Class<?>... of) {
            appender.start();
            for (Class<?> c : of) {
                Logger logger = (Logger) LoggerFactory.getLogger(c);
                logger.addAppender(appender);
                loggers.add(logger);
            }
        }

        List<String> messages() {
            synchronized (appender) { // AppenderBase.doAppend holds this lock while it adds
                return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            }
        }

        @Override
        public void close() {
            for (Logger l : loggers) {
                l.detachAppender(appender);
            }
        }
    }
}
