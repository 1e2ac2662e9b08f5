package io.dispatchd.client.bench;

import org.HdrHistogram.Histogram;

/** The latency percentiles the report prints, in nanoseconds; all 0 when nothing was measured. */
public record LatencySummary(long p50, long p90, long p99, long p999, long max, double mean) {

    public LatencySummary {
        if (!(p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max)) {
            throw new IllegalArgumentException("percentiles out of order: " + p50 + " " + p90 + " " + p99 + " " + p999 + " "
                    + max);
        }
    }

    static LatencySummary of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
    }
}
