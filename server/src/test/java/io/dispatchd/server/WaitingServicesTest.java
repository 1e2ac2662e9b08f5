package io.dispatchd.server;

import io.dispatchd.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Services that wait without a thread, in the whole server: the built-in engine and the
 * {@code sleep} example plugin keep many jobs in progress on one worker, within {@code --max-running}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WaitingServicesTest {

    private final List<DispatchServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(DispatchServer::close);
    }

    private DispatchServer start(String... flags) throws StartupException {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--admin-port", "off", "--drain-timeout", "100ms"));
        args.addAll(List.of(flags));
        DispatchServer s = DispatchServer.start(ServerConfig.fromArgs(Map.of(), args.toArray(String[]::new)));
        servers.add(s);
        return s;
    }

    @Test
    void oneWorkerKeepsAHundredSleepingJobsInProgressAndAcksEachWhenItEnds() throws Exception {
        DispatchServer server = start("--ack", "complete", "--workers", "1", "--max-running", "1000");
        try (TestConnection c = new TestConnection(server.address())) {
            c.send("sleep 1h\n".repeat(100));
            await().until(() -> server.jobsRunning() == 100);
            assertThat(server.jobsQueued()).as("none waits for the one worker").isZero();
        }
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("sleep 10ms\n".repeat(50) + "sleep nonsense\n").read(51))
                    .as("each acked when its stage completes; a stage that fails is '-'")
                    .isEqualTo("+".repeat(50) + "-");
        }
    }

    @Test
    void maxRunningBoundsTheJobsInProgressAndTheRestQueue() throws Exception {
        DispatchServer server = start("--workers", "2", "--max-running", "10");
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("sleep 1h\n".repeat(30)).read(30)).isEqualTo("+".repeat(30));
            await().until(() -> server.jobsRunning() == 10);
            await().until(() -> server.jobsQueued() >= 18); // the rest: two taken by the workers, waiting for room
        }
    }

    @Test
    void theBuiltInEngineWaitsOutItsPausesWithoutAWorker() throws Exception {
        DispatchServer server = start("--workers", "1", "--engine-iterations", "1000", "--engine-pause", "1s");
        try (TestConnection c = new TestConnection(server.address())) {
            assertThat(c.send("a 1\nb 2\nc 3\nd 4\n").read(4)).isEqualTo("++++");
            await().until(() -> server.jobsRunning() == 4);
        }
    }
}
