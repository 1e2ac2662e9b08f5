package io.dispatchd.server.metrics;

import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.service.LetterService;
import io.dispatchd.server.service.ServiceRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.dispatchd.server.metrics.Scrape.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The job-duration histogram as a scrape shows it: buckets, count, sum, under concurrent writers. */
class JobDurationHistogramTest {

    private final DispatchMetrics metrics = new DispatchMetrics(ServiceRegistry.of(List.of(new LetterService('A'))),
            AckMode.ACCEPT);

    @Test
    void aValueOnABoundCountsInThatBucketAndOneNanoMoreInTheNext() {
        assertThat(JobDurationHistogram.bucketOf(0)).isZero();
        assertThat(JobDurationHistogram.bucketOf(1_000)).isZero();
        assertThat(JobDurationHistogram.bucketOf(1_001)).isEqualTo(1);
        assertThat(JobDurationHistogram.bucketOf(2_500)).isEqualTo(1);
        long last = JobDurationHistogram.UPPER_BOUNDS_NANOS[JobDurationHistogram.UPPER_BOUNDS_NANOS.length - 1];
        assertThat(last).isEqualTo(TimeUnit.MINUTES.toNanos(5));
        assertThat(JobDurationHistogram.bucketOf(last + 1)).isEqualTo(JobDurationHistogram.UPPER_BOUNDS_NANOS.length);
        assertThat(JobDurationHistogram.bucketOf(Long.MAX_VALUE)).isEqualTo(JobDurationHistogram.UPPER_BOUNDS_NANOS.length);
    }

    @Test
    void scrapeShowsCumulativeBucketsCountAndSumInSeconds() {
        ServiceMeters a = metrics.service("a");
        a.jobFinished(JobOutcome.OK, 800);                          // ≤ 1 µs
        a.jobFinished(JobOutcome.OK, 2_000);                        // ≤ 2.5 µs
        a.jobFinished(JobOutcome.FAILED, 60_000_000);               // ≤ 100 ms
        a.jobFinished(JobOutcome.TIMED_OUT, 400_000_000_000L);      // past 5 min: +Inf only
        a.jobFinished(JobOutcome.ABANDONED, 0);                     // never ran to an end: not a duration

        String m = metrics.scrape();
        String h = JobDurationHistogram.NAME;
        assertThat(sample(m, h + "_bucket", "service", "a", "le", "1.0E-6")).isEqualTo(1);
        assertThat(sample(m, h + "_bucket", "service", "a", "le", "2.5E-6")).isEqualTo(2);
        assertThat(sample(m, h + "_bucket", "service", "a", "le", "0.05")).isEqualTo(2);
        assertThat(sample(m, h + "_bucket", "service", "a", "le", "0.1")).isEqualTo(3);
        assertThat(sample(m, h + "_bucket", "service", "a", "le", "300.0")).isEqualTo(3);
        assertThat(sample(m, h + "_bucket", "service", "a", "le", "+Inf")).isEqualTo(4);
        assertThat(sample(m, h + "_count", "service", "a")).isEqualTo(4);
        assertThat(sample(m, h + "_sum", "service", "a")).isCloseTo(400.060002800, within(1e-9));
        assertThat(m).as("lines no service takes run no job: no duration series")
                .doesNotContain(h + "_count{service=\"" + DispatchMetrics.UNKNOWN_SERVICE);
        assertThat(m).contains("# TYPE " + h + " histogram");
    }

    @Test
    void concurrentWritersLoseNoCount() throws Exception {
        int threads = 4;
        int perThread = 50_000;
        ServiceMeters a = metrics.service("a");
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                pool.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        a.jobFinished(JobOutcome.OK, 1_000 + i % 5_000);
                    }
                });
            }
            start.countDown();
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        String m = metrics.scrape();
        assertThat(sample(m, JobDurationHistogram.NAME + "_count", "service", "a")).isEqualTo(threads * perThread);
        assertThat(sample(m, JobDurationHistogram.NAME + "_bucket", "service", "a", "le",
                "1.0E-6")).isEqualTo(threads * perThread / 5_000);
    }
}
