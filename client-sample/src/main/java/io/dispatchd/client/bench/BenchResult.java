package io.dispatchd.client.bench;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * What one run measured. Only requests sent after the warm-up count.
 *
 * @param config     the run
 * @param requests   measured requests answered (the sum of {@code replies})
 * @param seconds    from the end of the warm-up to the last measured reply
 * @param replies    answered requests by reply kind, in the workload's order
 * @param latency    percentiles of the measured requests
 * @param histogram  the full latency histogram (nanoseconds), for {@code .hgrm} output
 * @param unanswered requests in flight when a connection was lost or the run gave up
 * @param missed     fixed rate only: requests due before the end that the window never let out
 * @param errorCount connection errors
 * @param errors     the first few connection errors, as messages
 * @param handshakes the TLS handshakes before the run, or {@code null} without TLS
 */
public record BenchResult(BenchConfig config, long requests, double seconds, List<ReplyCount> replies,
                          LatencySummary latency, Histogram histogram, long unanswered, long missed, int errorCount,
                          List<String> errors, TlsHandshakes handshakes) {

    /** @param key CSV/JSON key ({@code ok}); @param label as printed ({@code + OK}) */
    public record ReplyCount(String key, String label, long count) {
    }

    /** Answered requests per second. */
    public double throughput() {
        return seconds > 0 ? requests / seconds : 0;
    }
}
