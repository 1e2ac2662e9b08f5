package io.dispatchd.server.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code dispatchd_job_duration_seconds{service}}: a classic Prometheus histogram with fixed
 * buckets, from 1 µs to 300 s in 1–2.5–5 steps.
 *
 * <p><b>Why not a Micrometer {@code Timer}.</b> Every worker records every job here. Micrometer's
 * percentile histogram keeps one {@code AtomicLongArray} per service, and a time-window max that
 * reads the clock and CASes on each record; with empty jobs, all the workers hit the same bucket
 * of the same array, and that one cache line moving between cores cost ~130 ns per job, the
 * workers' largest cost in a CPU profile. Here each bucket is a {@link LongAdder}, which
 * spreads contended increments over per-CPU cells, and the work of adding up happens at scrape
 * time, once per scrape instead of once per job. The exposition itself stays the Prometheus
 * client's: this is a {@link Collector} on the same registry.
 *
 * <p>A scrape reads the buckets one by one while workers write them, so a scrape can miss a job
 * counted a moment later; {@code _count} is the sum of the buckets read, so it always agrees with
 * the {@code +Inf} bucket. There is no {@code _max}: Prometheus histograms have none.
 */
public final class JobDurationHistogram {

    static final String NAME = "dispatchd_job_duration_seconds";

    /** Upper bounds (inclusive, Prometheus {@code le}) in nanoseconds; one more bucket is {@code +Inf}. */
    static final long[] UPPER_BOUNDS_NANOS = upperBounds();

    private static final double[] UPPER_BOUNDS_SECONDS = secondsWithInfinity(UPPER_BOUNDS_NANOS);

    private final String service;
    private final LongAdder[] buckets = new LongAdder[UPPER_BOUNDS_NANOS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    JobDurationHistogram(String service) {
        this.service = service;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Counts one job that ran {@code nanos}. Lock-free; safe from any thread. */
    public void record(long nanos) {
        buckets[bucketOf(nanos)].increment();
        sumNanos.add(nanos);
    }

    /**
     * The {@code q} quantile (0 < q ≤ 1) of the durations recorded so far, in seconds, as the upper
     * bound of the bucket it falls in (what Prometheus's {@code histogram_quantile} would bound it
     * by); {@code NaN} with nothing recorded, the largest finite bound for the {@code +Inf} bucket.
     */
    public double quantileSeconds(double q) {
        long[] counts = new long[buckets.length];
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
            total += counts[i];
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return UPPER_BOUNDS_NANOS[Math.min(i, UPPER_BOUNDS_NANOS.length - 1)] / 1e9;
            }
        }
        return UPPER_BOUNDS_NANOS[UPPER_BOUNDS_NANOS.length - 1] / 1e9;
    }

    /** The index of the first bucket whose upper bound is at least {@code nanos}; the last is {@code +Inf}. */
    static int bucketOf(long nanos) {
        int i = Arrays.binarySearch(UPPER_BOUNDS_NANOS, nanos);
        return i >= 0 ? i : -i - 1;
    }

    private HistogramDataPointSnapshot snapshot() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(UPPER_BOUNDS_SECONDS, counts))
                .sum(sumNanos.sum() / 1e9)
                .labels(Labels.of("service", service))
                .build();
    }

    /** One collector exposing the histograms of every service, made once at startup. */
    static Collector collector(List<JobDurationHistogram> histograms) {
        List<JobDurationHistogram> all = List.copyOf(histograms);
        return new Collector() {
            @Override
            public MetricSnapshot collect() {
                HistogramSnapshot.Builder b = HistogramSnapshot.builder()
                        .name(NAME)
                        .help("How long jobs ran, from start on a worker to the end")
                        .unit(Unit.SECONDS);
                for (JobDurationHistogram h : all) {
                    b.dataPoint(h.snapshot());
                }
                return b.build();
            }

            @Override
            public String getPrometheusName() {
                return NAME;
            }
        };
    }

    private static long[] upperBounds() {
        List<Long> bounds = new ArrayList<>();
        for (long decade = 1_000; decade <= 100_000_000_000L; decade *= 10) { // 1 µs … 100 s
            bounds.add(decade);
            bounds.add(decade * 5 / 2);
            bounds.add(decade * 5);
        }
        while (bounds.get(bounds.size() - 1) > 100_000_000_000L) {
            bounds.remove(bounds.size() - 1);
        }
        bounds.add(300_000_000_000L); // 5 min: past every job timeout anyone sets by hand
        return bounds.stream().mapToLong(Long::longValue).toArray();
    }

    private static double[] secondsWithInfinity(long[] nanos) {
        double[] seconds = Arrays.copyOf(Arrays.stream(nanos).mapToDouble(n -> n / 1e9).toArray(), nanos.length + 1);
        seconds[nanos.length] = Double.POSITIVE_INFINITY;
        return seconds;
    }
}
