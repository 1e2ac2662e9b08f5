package io.dispatchd.client.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the run has seen so far, written by the I/O threads and read by the reporting thread
 * without locks: an HdrHistogram {@link Recorder} for latency (wait-free writers, interval
 * snapshots for the per-second progress line), adders for the reply counts.
 */
final class BenchStats {

    /** Latencies are recorded in nanoseconds, 3 significant digits, up to an hour (larger are clamped). */
    static final long HIGHEST_LATENCY_NANOS = TimeUnit.HOURS.toNanos(1);
    /** Keep the first few connection errors for the report; the rest are only counted. */
    private static final int MAX_ERRORS_KEPT = 10;

    private final Recorder latency = new Recorder(1, HIGHEST_LATENCY_NANOS, 3);
    private final LongAdder[] measuredByKind;
    private final LongAdder warmupReplies = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAccumulator lastMeasuredReply = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final AtomicLong unanswered = new AtomicLong();
    private final AtomicLong missed = new AtomicLong();
    private final AtomicInteger errorCount = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

    BenchStats(int replyKinds) {
        measuredByKind = new LongAdder[replyKinds];
        for (int i = 0; i < replyKinds; i++) {
            measuredByKind[i] = new LongAdder();
        }
    }

    void sent(int count) {
        sent.add(count);
    }

    /** One reply: counted and timed if its request was measured, only counted as warm-up if not. */
    void reply(int kind, long latencyNanos, boolean measured, long nowNanos) {
        if (!measured) {
            warmupReplies.increment();
            return;
        }
        measuredByKind[kind].increment();
        latency.recordValue(Math.min(Math.max(latencyNanos, 1), HIGHEST_LATENCY_NANOS));
        lastMeasuredReply.accumulate(nowNanos);
    }

    void unanswered(long count) {
        unanswered.addAndGet(count);
    }

    /** Fixed rate: requests that fell due before the end but could not be sent in time. */
    void missed(long count) {
        missed.addAndGet(count);
    }

    long missed() {
        return missed.get();
    }

    void error(String message) {
        if (errorCount.incrementAndGet() <= MAX_ERRORS_KEPT) {
            errors.add(message);
        }
    }

    /** Latencies recorded since the last call (the recorder swaps buffers; writers never wait). */
    Histogram takeInterval(Histogram recycle) {
        return latency.getIntervalHistogram(recycle);
    }

    long[] measuredByKind() {
        long[] counts = new long[measuredByKind.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = measuredByKind[i].sum();
        }
        return counts;
    }

    /** Every reply so far, warm-up and measured. */
    long allReplies() {
        long all = warmupReplies.sum();
        for (LongAdder kind : measuredByKind) {
            all += kind.sum();
        }
        return all;
    }

    long warmupReplies() {
        return warmupReplies.sum();
    }

    long sent() {
        return sent.sum();
    }

    /** nanoTime of the last measured reply, or {@code Long.MIN_VALUE} if none came. */
    long lastMeasuredReply() {
        return lastMeasuredReply.get();
    }

    long unanswered() {
        return unanswered.get();
    }

    int errorCount() {
        return errorCount.get();
    }

    java.util.List<String> errors() {
        return java.util.List.copyOf(errors);
    }
}
