package io.dispatchd.server.executor;

import io.dispatchd.server.service.Engine;
import io.dispatchd.server.service.Service;
import io.dispatchd.server.service.ServiceContext;
import io.dispatchd.server.service.ServiceRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(20)
class BoundedJobExecutorTest {

    private static final ServiceContext CONTEXT = () -> new Engine(0, Duration.ZERO);

    /** A service whose jobs do nothing and succeed. */
    private static final Service QUICK = new Service() {
        public String key() {
            return "quick";
        }

        public void execute(String qual, ServiceContext context) {
        }
    };

    private final AtomicLong ids = new AtomicLong();
    private BoundedJobExecutor executor;

    @AfterEach
    void stop() {
        if (executor != null) {
            executor.close();
        }
    }

    /** A started executor that runs these services. */
    private static BoundedJobExecutor started(int workers, int capacity, Duration jobTimeout, Service... services) {
        BoundedJobExecutor ex = new BoundedJobExecutor(workers, capacity, jobTimeout,
                ServiceRegistry.of(List.of(services)), CONTEXT);
        ex.start();
        return ex;
    }

    /** A first attempt of a job for {@code service}. */
    private Job job(Service service, String qual) {
        return new Job(ids.incrementAndGet(), service.key(), qual, 1);
    }

    /** A service that blocks until released and counts the jobs that started. */
    static final class GateService implements Service {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();

        @Override
        public String key() {
            return "gate";
        }

        @Override
        public void execute(String qual, ServiceContext context) throws InterruptedException {
            started.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
        }
    }

    record RunningAndQueued(RecordingTicket running, RecordingTicket queued) {
    }

    /** Offers a job that starts and blocks on the gate, then one that waits behind it in the queue. */
    private RunningAndQueued oneRunningOneQueued(GateService gate) {
        RunningAndQueued jobs = new RunningAndQueued(new RecordingTicket(), new RecordingTicket());
        executor.offer(job(gate, "running"), jobs.running());
        await().until(() -> gate.started.get() == 1);
        executor.offer(job(gate, "queued"), jobs.queued());
        return jobs;
    }

    @Test
    void refusesWhenEveryWorkerAndQueueSlotIsTakenAndRunsNothingRefused() throws Exception {
        GateService gate = new GateService();
        executor = started(1, 1, Duration.ZERO, gate);
        RunningAndQueued jobs = oneRunningOneQueued(gate);
        RecordingTicket running = jobs.running();
        RecordingTicket queued = jobs.queued();
        RecordingTicket overflow = new RecordingTicket();
        executor.offer(job(gate, "3"), overflow);

        assertThat(overflow.heard).containsExactly("refused QUEUE_FULL");
        assertThat(executor.queued()).isEqualTo(1);
        assertThat(executor.running()).isEqualTo(1);
        gate.gate.countDown();
        assertThat(running.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
        assertThat(queued.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
        assertThat(gate.started).hasValue(2);
        assertThat(overflow.outcome).isNotDone();
    }

    @Test
    void nearlyFullFromThreeQuartersAndCallsBackWaitersAtHalf() throws Exception {
        Semaphore steps = new Semaphore(0);
        Service stepped = new Service() {
            public String key() {
                return "stepped";
            }

            public void execute(String qual, ServiceContext context) throws InterruptedException {
                steps.acquire(); // each job runs until the test lets one more finish
            }
        };
        executor = started(1, 8, Duration.ZERO, stepped);
        AtomicInteger calledAtOnce = new AtomicInteger();
        executor.callWhenRoom(calledAtOnce::incrementAndGet);
        assertThat(calledAtOnce).as("room now: called at once").hasValue(1);

        for (int i = 0; i < 7; i++) {
            executor.offer(job(stepped, "" + i), new RecordingTicket());
        }
        await().until(() -> executor.running() == 1 && executor.queued() == 6);
        assertThat(executor.nearlyFull()).as("6 of 8 queued").isTrue();
        CountDownLatch room = new CountDownLatch(1);
        executor.callWhenRoom(room::countDown);

        steps.release();
        await().until(() -> executor.queued() == 5);
        assertThat(executor.nearlyFull()).isFalse();
        assertThat(room.getCount()).as("5 queued: not yet half empty").isEqualTo(1);

        steps.release();
        assertThat(room.await(5, TimeUnit.SECONDS)).as("called back at 4 of 8").isTrue();
        assertThat(executor.queued()).isEqualTo(4);
        steps.release(100);
    }

    @Test
    void aWaiterRegisteredAfterTheQueueFilledAgainWaitsForTheNextRoom() throws Exception {
        // What an event loop does when called back: it reads, offers, finds the queue nearly full
        // and waits anew, all while the worker that called it may still be calling waiters.
        Semaphore steps = new Semaphore(0);
        AtomicInteger started = new AtomicInteger();
        Service stepped = new Service() {
            public String key() {
                return "stepped";
            }

            public void execute(String qual, ServiceContext context) throws InterruptedException {
                started.incrementAndGet();
                steps.acquire();
            }
        };
        executor = started(1, 4, Duration.ZERO, stepped);
        for (int i = 0; i < 4; i++) {
            executor.offer(job(stepped, "" + i), new RecordingTicket());
        }
        await().until(() -> executor.running() == 1 && executor.queued() == 3);
        AtomicInteger queuedWhenSecondCalled = new AtomicInteger(-1);
        CountDownLatch second = new CountDownLatch(1);
        executor.callWhenRoom(() -> { // called on the worker as it takes a job and leaves 2 queued
            executor.offer(job(stepped, "refill"), new RecordingTicket()); // 3 queued again: nearly full
            executor.callWhenRoom(() -> {
                queuedWhenSecondCalled.set(executor.queued());
                second.countDown();
            });
        });

        steps.release(); // the first job ends; the worker takes the next, calls back, then runs it
        await().until(() -> started.get() == 2);
        assertThat(second.getCount()).as("called with %d queued", queuedWhenSecondCalled.get()).isEqualTo(1);

        steps.release(); // the next job ends: 2 queued, room again
        await().until(() -> second.getCount() == 0);
        assertThat(queuedWhenSecondCalled.get()).isLessThanOrEqualTo(2);
        steps.release(100);
    }

    /** At capacity 2 the callers overshoot: refused offers count for a moment on their way out. */
    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {64, 2})
    void everyCallerWaitingForRoomIsCalledBackWhileWorkersDrainConcurrently(int capacity) throws Exception {
        executor = started(2, capacity, Duration.ZERO, QUICK);
        int callers = 4;
        int rounds = 300;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            done.add(CompletableFuture.runAsync(() -> {
                for (int r = 0; r < rounds; r++) {
                    while (!executor.nearlyFull()) { // fill past three quarters, as a fast client would
                        executor.offer(job(QUICK, "x"), new RecordingTicket());
                    }
                    CountDownLatch room = new CountDownLatch(1);
                    executor.callWhenRoom(room::countDown);
                    try {
                        // a lost wake-up would leave this caller waiting while the queue is empty
                        assertThat(room.await(5, TimeUnit.SECONDS)).as("called back, round %d", r).isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
            }));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
        await().until(() -> executor.queued() == 0);
    }

    @Test
    void offersFromABatchScheduleExactlyOneWakeUpForParkedWorkersAndEveryJobRuns() throws Exception {
        executor = started(2, 64, Duration.ZERO, QUICK);
        for (int batch = 0; batch < 3; batch++) {
            awaitWorkersParked(executor, 2); // nobody searching: the batch needs a wake-up
            List<Runnable> afterBatch = new ArrayList<>();
            List<RecordingTicket> tickets = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                RecordingTicket t = new RecordingTicket();
                tickets.add(t);
                executor.offer(job(QUICK, "q" + i), t, afterBatch::add);
                assertThat(t.heard).as("admitted at once, whatever the wake-up").contains("admitted");
            }
            assertThat(afterBatch).as("one wake-up for the whole batch of ten, none per job").hasSize(1);
            afterBatch.forEach(Runnable::run); // the end of the batch
            for (RecordingTicket t : tickets) {
                assertThat(t.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
            }
        }
    }

    @Test
    void oneThreadOfferingToTwoExecutorsInOneBatchWakesEach() throws Exception {
        executor = started(1, 8, Duration.ZERO, QUICK);
        BoundedJobExecutor other = started(1, 8, Duration.ZERO, QUICK);
        try {
            // let both workers park, so each executor needs a wake-up
            RecordingTicket warm1 = new RecordingTicket();
            RecordingTicket warm2 = new RecordingTicket();
            executor.offer(job(QUICK, "warm"), warm1);
            other.offer(job(QUICK, "warm"), warm2);
            warm1.outcome.get(5, TimeUnit.SECONDS);
            warm2.outcome.get(5, TimeUnit.SECONDS);
            awaitWorkerParked(executor);
            awaitWorkerParked(other);

            List<Runnable> afterBatch = new ArrayList<>();
            RecordingTicket first = new RecordingTicket();
            RecordingTicket second = new RecordingTicket();
            executor.offer(job(QUICK, "1"), first, afterBatch::add);
            other.offer(job(QUICK, "2"), second, afterBatch::add);
            afterBatch.forEach(Runnable::run);
            assertThat(first.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
            assertThat(second.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
        } finally {
            other.close();
        }
    }

    /** A worker of {@code ex} is parked (so nobody is searching, and a new job needs a wake-up). */
    private static void awaitWorkerParked(BoundedJobExecutor ex) {
        awaitWorkersParked(ex, 1);
    }

    /** At least {@code n} workers of {@code ex} are parked. */
    private static void awaitWorkersParked(BoundedJobExecutor ex, int n) {
        await().atMost(5, TimeUnit.SECONDS).until(() -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> java.util.concurrent.locks.LockSupport.getBlocker(t) == ex.workerBlocker()
                        && t.getState() == Thread.State.WAITING).count() >= n);
    }

    @Test
    void serviceThatThrowsIsReportedFailed() throws Exception {
        Service boom = new Service() {
            public String key() {
                return "boom";
            }

            public void execute(String qual, ServiceContext context) {
                throw new IllegalStateException("boom " + qual);
            }
        };
        executor = started(1, 4, Duration.ZERO, boom);
        RecordingTicket t = new RecordingTicket();
        executor.offer(job(boom, "x"), t);
        assertThat(t.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.FAILED);
        assertThat(t.heard).contains("admitted").hasSize(2);
    }

    @Test
    void jobPastTheTimeoutIsInterruptedReportedOnceAndDoesNotTaintTheNextJob() throws Exception {
        GateService gate = new GateService();
        Service checksInterrupt = new Service() {
            public String key() {
                return "check";
            }

            public void execute(String qual, ServiceContext context) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("inherited an interrupt");
                }
            }
        };
        executor = started(1, 4, Duration.ofMillis(50), gate, checksInterrupt);
        RecordingTicket slow = new RecordingTicket();
        executor.offer(job(gate, "slow"), slow);
        assertThat(slow.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.TIMED_OUT);
        await().until(() -> gate.interrupted.get() == 1);

        RecordingTicket next = new RecordingTicket();
        executor.offer(job(checksInterrupt, "next"), next);
        assertThat(next.outcome.get(5, TimeUnit.SECONDS)).isEqualTo(JobOutcome.OK);
        assertThat(slow.heard).containsExactly("admitted", "finished TIMED_OUT");
    }

    @Test
    void drainLetsAdmittedJobsFinishAndRefusesNewOnes() throws Exception {
        GateService gate = new GateService();
        executor = started(2, 8, Duration.ZERO, gate);
        List<RecordingTicket> tickets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingTicket t = new RecordingTicket();
            tickets.add(t);
            executor.offer(job(gate, "q" + i), t);
        }
        CompletableFuture<DrainReport> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return executor.drain(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        RecordingTicket late = new RecordingTicket();
        await().untilAsserted(() -> {
            late.heard.clear();
            executor.offer(job(gate, "late"), late);
            assertThat(late.heard).containsExactly("refused DRAINING");
        });
        gate.gate.countDown();
        assertThat(drained.get(10, TimeUnit.SECONDS).cutOff()).isEmpty();
        for (RecordingTicket t : tickets) {
            assertThat(t.outcome).isCompletedWithValue(JobOutcome.OK);
        }
    }

    @Test
    void drainDeadlineAbandonsRunningAndQueuedJobsAndReportsEachOnce() throws Exception {
        GateService gate = new GateService();
        executor = started(1, 8, Duration.ZERO, gate);
        RunningAndQueued jobs = oneRunningOneQueued(gate);
        RecordingTicket running = jobs.running();
        RecordingTicket queued = jobs.queued();

        DrainReport report = executor.drain(Duration.ofMillis(50));
        assertThat(report.cutOff()).extracting(c -> c.job().qual() + (c.started() ? " started" : " not started"))
                .containsExactlyInAnyOrder("running started", "queued not started");
        assertThat(report.fate()).as("memory only: nothing is kept for a next start").isEqualTo(DrainReport.ABANDONED);
        assertThat(running.outcome).isCompletedWithValue(JobOutcome.ABANDONED);
        assertThat(queued.outcome).isCompletedWithValue(JobOutcome.ABANDONED);
        assertThat(executor.awaitWorkersExit(Duration.ofSeconds(5))).isTrue();
        assertThat(running.heard).containsExactly("admitted", "finished ABANDONED");
        assertThat(gate.started).as("the queued job never started").hasValue(1);
    }
}
