package io.dispatchd.client.cli;

import io.dispatchd.client.FastServerExtension;
import io.dispatchd.client.TestServers;
import io.dispatchd.server.DispatchServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code dispatchd-client bench}, end to end in-process: short runs whose output is parsed and checked. */
@Timeout(60)
class BenchCommandTest {

    private static final Pattern REQUESTS = Pattern.compile("(?m)^requests {4}(\\d+) in ([\\d.]+) s = ([\\d.]+) req/s$");
    private static final Pattern REPLIES = Pattern.compile(
            "(?m)^replies {5}\\+ OK (\\d+), - FAILED (\\d+), \\? BAD_REQUEST (\\d+), ! BUSY (\\d+), other (\\d+)$");
    private static final Pattern LATENCY = Pattern.compile(
            "(?m)^latency ms  p50 ([\\d.]+), p90 ([\\d.]+), p99 ([\\d.]+), p99\\.9 ([\\d.]+), max ([\\d.]+)$");

    @RegisterExtension
    static final FastServerExtension server = new FastServerExtension();

    @Test
    void aCountedRunReportsCountsThatAddUpAndOrderedPercentiles() {
        CliRun run = CliRun.run("bench", "--port", server.port(), "-n", "3000", "-c", "4", "-P", "8", "--mix", "a:3,zz:1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        long[] requests = numbers(REQUESTS, run.out());
        long[] replies = numbers(REPLIES, run.out());
        double[] latency = decimals(LATENCY, run.out());
        assertThat(requests[0]).isEqualTo(3000);
        assertThat(Arrays.stream(replies).sum()).isEqualTo(3000);
        assertThat(replies[2]).as("unknown service zz answered '?'").isBetween(600L, 900L);
        assertThat(replies[0] + replies[2]).isEqualTo(3000);
        assertThat(latency).isSorted();
        assertThat(latency[0]).isPositive();
        assertThat(run.err()).doesNotContain("Exception");
    }

    @Test
    void aFixedRateRunSendsAtThatRateAndReportsJson() {
        CliRun run = CliRun.run("bench", "--port", server.port(), "-d", "2s", "--rate", "1000", "-c", "2", "--warmup", "500ms",
                "--json", "--label", "rate-1000", "-q");

        assertThat(run.exitCode()).as(run.err()).isZero();
        String json = run.out().strip();
        assertThat(json).startsWith("{\"label\":\"rate-1000\"").endsWith("}");
        long requests = jsonLong(json, "requests");
        assertThat(requests).isBetween(1900L, 2001L); // 2 s at 1000/s, due times on a fixed grid
        assertThat(jsonLong(json, "ok")).isEqualTo(requests);
        assertThat(jsonDouble(json, "throughput")).isCloseTo(1000, within(100.0));
        assertThat(List.of(jsonDouble(json, "p50"), jsonDouble(json, "p90"), jsonDouble(json, "p99"),
                jsonDouble(json, "p99.9"), jsonDouble(json, "max"))).isSorted();
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aServerSlowerThanTheRateShowsInLatencyFromTheDueTimeAndInMissedRequests() throws Exception {
        // complete mode, one worker, jobs of ~100 ms: about 10 req/s, asked for 100 req/s
        try (DispatchServer slow = TestServers.start("--ack", "complete", "--workers", "1",
                "--engine-iterations", "11", "--engine-pause", "10ms", "--drain-timeout", "100ms")) {
            CliRun run = CliRun.run("bench", "--port", "" + slow.address().getPort(), "-d", "2s", "--rate", "100",
                    "-c", "1", "-P", "1", "--json", "-q");

            assertThat(run.exitCode()).as(run.err()).isZero();
            String json = run.out().strip();
            long requests = jsonLong(json, "requests");
            long missed = jsonLong(json, "missed");
            assertThat(requests).isBetween(5L, 40L);
            assertThat(requests + missed).as(json).isBetween(190L, 201L); // every due request accounted for
            // a request waits for the ones before it: latency from the due time grows, not ~100 ms
            assertThat(jsonDouble(json, "p90")).isGreaterThan(500);
        }
    }

    @Test
    void csvHasAHeaderAndARowOfTheSameWidth() {
        CliRun run = CliRun.run("bench", "--port", server.port(), "-n", "500", "-c", "1", "--csv", "-q");

        assertThat(run.exitCode()).isZero();
        List<String> lines = run.outLines();
        assertThat(lines).hasSize(2);
        List<String> header = List.of(lines.get(0).split(","));
        String[] row = lines.get(1).split(",");
        assertThat(row).hasSameSizeAs(header.toArray());
        assertThat(row[header.indexOf("requests")]).isEqualTo("500");
        assertThat(row[header.indexOf("ok")]).isEqualTo("500");
    }

    @Test
    void progressLinesGoToStderrEverySecond() {
        CliRun run = CliRun.run("bench", "--port", server.port(), "-d", "2s", "--rate", "200", "-c", "1");

        assertThat(run.err().lines().filter(l -> l.contains("replies/s"))).hasSizeGreaterThanOrEqualTo(1);
        assertThat(run.out()).doesNotContain("replies/s");
    }

    @Test
    void theLatencyDistributionCanBeWrittenAsHgrm(@TempDir Path dir) throws Exception {
        Path hgrm = dir.resolve("latency.hgrm");

        CliRun run = CliRun.run("bench", "--port", server.port(), "-n", "1000", "-c", "2", "-q", "--hgrm", hgrm.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(Files.readString(hgrm)).contains("Value     Percentile TotalCount").contains("#[Max");
    }

    @Test
    void connectRefusedFailsTheRunWithExitOne() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CliRun run = CliRun.run("bench", "--port", "" + closedPort, "-n", "10");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("dispatchd-client: cannot connect to 127.0.0.1:" + closedPort + ": connection refused\n");
    }

    static long[] numbers(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertThat(m.find()).as("%s in%n%s", pattern, text).isTrue();
        long[] values = new long[m.groupCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Double.parseDouble(m.group(i + 1));
        }
        return values;
    }

    static double[] decimals(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertThat(m.find()).as("%s in%n%s", pattern, text).isTrue();
        double[] values = new double[m.groupCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = Double.parseDouble(m.group(i + 1));
        }
        return values;
    }

    private static String jsonValue(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":([\\d.]+)").matcher(json);
        assertThat(m.find()).as("%s in %s", key, json).isTrue();
        return m.group(1);
    }

    private static long jsonLong(String json, String key) {
        return Long.parseLong(jsonValue(json, key));
    }

    private static double jsonDouble(String json, String key) {
        return Double.parseDouble(jsonValue(json, key));
    }
}
