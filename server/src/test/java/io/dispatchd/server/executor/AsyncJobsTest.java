package io.dispatchd.server.executor;

import io.dispatchd.server.service.Engine;
import io.dispatchd.server.service.Service;
import io.dispatchd.server.service.ServiceContext;
import io.dispatchd.server.service.ServiceRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Jobs whose service returns a stage that completes later: they hold no worker while they wait. */
@Timeout(20)
class AsyncJobsTest {

    private static final ServiceContext CONTEXT = () -> new Engine(0, Duration.ZERO);

    /** {@code wait Q}: a stage the test completes, by qual. */
    private final Map<String, CompletableFuture<Void>> stages = new ConcurrentHashMap<>();
    private final Service waiting = new Service() {
        public String key() {
            return "wait";
        }

        public CompletionStage<?> start(String qual, ServiceContext context) {
            return stages.computeIfAbsent(qual, q -> new CompletableFuture<>());
        }
    };

    private BoundedJobExecutor executor;
    private long ids;

    @AfterEach
    void stop() {
        if (executor != null) {
            executor.close();
        }
    }

    private BoundedJobExecutor started(int workers, int maxRunning, Duration jobTimeout) {
        executor = new BoundedJobExecutor(workers, maxRunning, 100, jobTimeout, ServiceRegistry.of(List.of(waiting)), CONTEXT);
        executor.start();
        return executor;
    }

    private RecordingTicket offer(String qual) {
        RecordingTicket t = new RecordingTicket();
        executor.offer(new Job(++ids, "wait", qual, 1), t);
        return t;
    }

    @Test
    void oneWorkerKeepsManyJobsInProgressAndEachEndsWhenItsStageDoes() {
        started(1, 100, Duration.ZERO);
        RecordingTicket[] tickets = new RecordingTicket[20];
        for (int i = 0; i < tickets.length; i++) {
            tickets[i] = offer("q" + i);
        }
        await().until(() -> executor.running() == 20);
        assertThat(executor.queued()).isZero();
        stages.get("q7").complete(null);
        stages.get("q3").completeExceptionally(new IllegalStateException("the database said no"));
        assertThat(tickets[7].outcome.join()).isEqualTo(JobOutcome.OK);
        assertThat(tickets[3].outcome.join()).isEqualTo(JobOutcome.FAILED);
        await().until(() -> executor.running() == 18);
        stages.values().forEach(s -> s.complete(null));
        for (RecordingTicket t : tickets) {
            assertThat(t.outcome.join()).isIn(JobOutcome.OK, JobOutcome.FAILED);
        }
        await().until(() -> executor.running() == 0);
    }

    @Test
    void maxRunningBoundsTheJobsInProgressAndTheRestWaitTheirTurn() {
        started(1, 3, Duration.ZERO);
        for (int i = 0; i < 6; i++) {
            offer("q" + i);
        }
        await().until(() -> stages.size() == 3);
        assertThat(executor.running()).isEqualTo(3);
        assertThat(executor.queued()).as("one taken by the worker, waiting for room; two queued").isEqualTo(2);
        stages.get("q0").complete(null);
        await().until(() -> stages.size() == 4);
        assertThat(stages).containsKey("q3");
        assertThat(executor.running()).isEqualTo(3);
    }

    @Test
    void aJobPastTheTimeoutHasItsStageCancelledAndCountsTimedOut() {
        started(1, 10, Duration.ofMillis(50));
        RecordingTicket t = offer("slow");
        assertThat(t.outcome.join()).isEqualTo(JobOutcome.TIMED_OUT);
        assertThat(stages.get("slow")).isCancelled();
        await().until(() -> executor.running() == 0);
    }

    @Test
    void onAJvmWithVirtualThreadsTheWorkersCanBeVirtual() {
        org.junit.jupiter.api.Assumptions.assumeTrue(WorkerThreads.virtualAvailable(),
                "virtual threads need Java 21+; run the tests on one to cover --worker-threads virtual");
        executor = new BoundedJobExecutor(2, WorkerThreads.VIRTUAL, 10, 100, Duration.ZERO,
                ServiceRegistry.of(List.of(waiting)), CONTEXT);
        executor.start();
        RecordingTicket t = offer("v");
        await().until(() -> stages.containsKey("v"));
        stages.get("v").complete(null);
        assertThat(t.outcome.join()).isEqualTo(JobOutcome.OK);
    }

    @Test
    void theDrainWaitsForWaitingJobsAndCutsOffTheRestAtItsDeadline() throws Exception {
        started(1, 10, Duration.ZERO);
        RecordingTicket done = offer("done");
        RecordingTicket stuck = offer("stuck");
        await().until(() -> stages.size() == 2);
        stages.get("done").complete(null);
        DrainReport report = executor.drain(Duration.ofMillis(100));
        assertThat(done.outcome.join()).isEqualTo(JobOutcome.OK);
        assertThat(stuck.outcome.join()).isEqualTo(JobOutcome.ABANDONED);
        assertThat(stages.get("stuck")).isCancelled();
        assertThat(report.cutOff()).containsExactly(new DrainReport.CutOff(new Job(2, "wait", "stuck", 1), true));
    }

    @Test
    void aJobAWorkerHoldsWhileItWaitsForRoomIsReportedNeverStartedWhenTheDrainCutsItOff() throws Exception {
        started(1, 2, Duration.ZERO);
        offer("a");
        offer("b");
        RecordingTicket third = offer("c");
        await().until(() -> stages.size() == 2 && executor.queued() == 0); // the worker holds c, waiting for room
        DrainReport report = executor.drain(Duration.ofMillis(50));
        assertThat(third.outcome.join()).isEqualTo(JobOutcome.ABANDONED);
        assertThat(stages).doesNotContainKey("c");
        assertThat(report.cutOff()).containsExactlyInAnyOrder(new DrainReport.CutOff(new Job(1, "wait", "a", 1), true),
                new DrainReport.CutOff(new Job(2, "wait", "b", 1), true),
                new DrainReport.CutOff(new Job(3, "wait", "c", 1), false));
    }
}
