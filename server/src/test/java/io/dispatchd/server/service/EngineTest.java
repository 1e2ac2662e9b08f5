package io.dispatchd.server.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(30)
class EngineTest {

    private final List<String> tokens = Collections.synchronizedList(new ArrayList<>());

    /** A run on a thread of its own: that thread, and how the run ended. */
    private record Started(Thread worker, CompletableFuture<Void> run) {
    }

    private static Started start(Engine engine, String qual, char letter) throws Exception {
        CompletableFuture<Thread> worker = new CompletableFuture<>();
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            worker.complete(Thread.currentThread());
            try {
                engine.run(qual, letter);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
        }, r -> new Thread(r).start());
        return new Started(worker.get(5, TimeUnit.SECONDS), run);
    }

    private long countStartingWith(String prefix) {
        synchronized (tokens) {
            return tokens.stream().filter(t -> t.startsWith(prefix)).count();
        }
    }

    /** What the engine hands its logger: one token, or a batch of tokens a line each. */
    private void collect(String lines) {
        tokens.addAll(List.of(lines.split("\n")));
    }

    @Test
    void emitsTheSeedTokensInOrderWithAtLeastThePauseBetweenThem() throws Exception {
        Engine engine = new Engine(5, Duration.ofMillis(20), this::collect);
        long start = System.nanoTime();
        engine.run("88", 'A');
        long took = System.nanoTime() - start;
        assertThat(tokens).containsExactly("88A000", "88A001", "88A002", "88A003", "88A004");
        assertThat(took).as("four pauses of 20 ms").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(80));
    }

    @Test
    void aJobIsOverOnlyOnceItsLastTokenIsHandedOver() throws Exception {
        CountDownLatch lastTokenHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Engine engine = new Engine(3, Duration.ofMillis(1), lines -> {
            collect(lines);
            if (lines.contains("88A002")) {
                lastTokenHeld.countDown();
                try {
                    release.await(); // hold the clock inside the hand-over
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                engine.run("88", 'A');
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> new Thread(r).start());
        assertThat(lastTokenHeld.await(5, TimeUnit.SECONDS)).isTrue();
        await().during(100, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS).until(() -> !run.isDone());
        release.countDown();
        run.get(5, TimeUnit.SECONDS);
        assertThat(tokens).containsExactly("88A000", "88A001", "88A002");
    }

    @Test
    void withoutAPauseTheWorkerEmitsEverythingAtOnce() throws Exception {
        new Engine(3, Duration.ZERO, this::collect).run("x", 'D');
        assertThat(tokens).containsExactly("xD000", "xD001", "xD002");
    }

    @Test
    void manyConcurrentRunsEachGetAllTheirTokensInterleaved() throws Exception {
        Engine engine = new Engine(50, Duration.ofNanos(100_000), this::collect);
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (int j = 0; j < 200; j++) {
            String qual = "q" + j;
            runs.add(CompletableFuture.runAsync(() -> {
                try {
                    engine.run(qual, 'B');
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> new Thread(r).start()));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        assertThat(tokens).hasSize(200 * 50);
        for (int j = 0; j < 200; j++) {
            String qual = "q" + j;
            String prefix = qual + "B";
            List<String> own = tokens.stream().filter(t -> t.startsWith(prefix) && t.length() == prefix.length() + 3).toList();
            assertThat(own).as("job %s in order", qual).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 50).mapToObj(i -> Engine.token(qual, 'B', i)).toList());
        }
    }

    @Test
    void tokensReachTheLoggerInBatchesNotOneEventPerTokenOrTick() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Engine engine = new Engine(50, Duration.ofMillis(1), lines -> {
            events.add(lines);
            collect(lines);
        }, TimeUnit.MILLISECONDS.toNanos(50));
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (int j = 0; j < 10; j++) {
            String qual = "t" + j;
            runs.add(CompletableFuture.runAsync(() -> {
                try {
                    go.await();
                    engine.run(qual, 'A');
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> new Thread(r).start()));
        }
        go.countDown();
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        assertThat(tokens).hasSize(500).contains("t0A000", "t9A049");
        // Runs this long keep the bound clear of the scheduler: started a few ms apart (a busy
        // machine), they still end in at most 10 passes, with a hand-over every 50 ms between.
        assertThat(events).as("10 runs of 50 ticks: a batch when a run ends or every 50 ms, "
                        + "not an event per tick (50 or more) or per token (500)")
                .hasSizeLessThan(20);
    }

    @Test
    void interruptingTheWorkerEndsTheRunAndItsTokensStop() throws Exception {
        Engine engine = new Engine(1_000_000, Duration.ofMillis(1), this::collect);
        Started started = start(engine, "slow", 'C');
        CompletableFuture<Void> run = started.run();
        await().atMost(5, TimeUnit.SECONDS).until(() -> tokens.size() >= 3);
        started.worker().interrupt();
        assertThatThrownBy(() -> run.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("interrupted");
        // Tokens emitted before the interrupt may still be handed over in the clock's next batch.
        AtomicLong lastCount = new AtomicLong(-1);
        // Settled: unchanged for 300 times the clock's 1 ms hand-over interval.
        await().during(300, TimeUnit.MILLISECONDS).atMost(10, TimeUnit.SECONDS).until(() -> {
            long n = countStartingWith("slow");
            return lastCount.getAndSet(n) == n;
        });
        long slowSoFar = countStartingWith("slow");
        Engine other = new Engine(20, Duration.ofMillis(1), this::collect);
        other.run("next", 'C');
        other.run("next", 'C');
        assertThat(countStartingWith("slow")).as("the cancelled run emits nothing more").isEqualTo(slowSoFar);
        assertThat(countStartingWith("next")).isEqualTo(40);
    }

    @Test
    void withoutTokensARunStillTakesItsPauses() throws Exception {
        Engine engine = new Engine(5, Duration.ofMillis(20), null);
        for (int round = 0; round < 2; round++) { // the second after the clock has gone idle
            long start = System.nanoTime();
            engine.run("88", 'A');
            assertThat(System.nanoTime() - start).as("four pauses of 20 ms, ended by the clock, not much later")
                    .isBetween(TimeUnit.MILLISECONDS.toNanos(80), TimeUnit.SECONDS.toNanos(3));
        }
    }

    @Test
    void withoutTokensManyConcurrentRunsEachEndAfterTheirOwnPauses() throws Exception {
        Engine engine = new Engine(50, Duration.ofMillis(1), null);
        List<CompletableFuture<Long>> runs = new ArrayList<>();
        for (int j = 0; j < 200; j++) {
            runs.add(CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                try {
                    engine.run("q", 'B');
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return System.nanoTime() - start;
            }, r -> new Thread(r).start()));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        for (CompletableFuture<Long> run : runs) {
            assertThat(run.get()).as("49 pauses of 1 ms").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(49));
        }
    }

    @Test
    void withoutTokensInterruptingTheWorkerEndsTheRunAndOthersStillEnd() throws Exception {
        Engine engine = new Engine(300, Duration.ofMillis(1), null); // ~0.3 s a run
        Started started = start(engine, "slow", 'C');
        CompletableFuture<Void> run = started.run();
        Thread slow = started.worker();
        await().atMost(5, TimeUnit.SECONDS).until(() -> slow.getState() == Thread.State.WAITING);
        slow.interrupt();
        assertThatThrownBy(() -> run.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("interrupted");
        long start = System.nanoTime();
        engine.run("next", 'C'); // the same clock, past the cancelled run
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(299));
    }

    @Test
    void withoutTokensARunTooLongToCountDoesNotWrapAroundAndEndAtOnce() throws Exception {
        Engine engine = new Engine(100_000_000, Duration.ofSeconds(100), null); // 317 years: past 2^63 ns
        Started started = start(engine, "long", 'D');
        CompletableFuture<Void> run = started.run();
        await().during(300, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS).until(() -> !run.isDone());
        started.worker().interrupt();
        assertThatThrownBy(() -> run.get(5, TimeUnit.SECONDS)).hasMessageContaining("interrupted");
    }

    @Test
    void anInterruptedWorkerGivesUpAtOnce() {
        Engine engine = new Engine(1_000_000, Duration.ofMillis(1), null);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> engine.run("q", 'A')).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void closeStopsTheClockThread() throws Exception {
        java.util.Set<Thread> before = clockThreads();
        Engine engine = new Engine(3, Duration.ofMillis(1), null);
        engine.run("q", 'A');
        java.util.Set<Thread> mine = clockThreads();
        mine.removeAll(before);
        assertThat(mine).as("this engine's clock").hasSize(1);
        engine.close();
        assertThat(mine.iterator().next().isAlive()).isFalse();
    }

    private static java.util.Set<Thread> clockThreads() {
        java.util.Set<Thread> clocks = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("dispatchd-engine-clock")) {
                clocks.add(t);
            }
        }
        return clocks;
    }
}
