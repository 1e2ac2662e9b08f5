package io.dispatchd.client.cli;

import io.dispatchd.client.bench.BenchConfig;
import io.dispatchd.client.bench.BenchReport;
import io.dispatchd.client.bench.BenchResult;
import io.dispatchd.client.bench.BenchRunner;
import io.dispatchd.client.bench.CEscapes;
import io.dispatchd.client.bench.ReplyFormat;
import io.dispatchd.client.bench.ServiceMix;
import io.dispatchd.client.bench.Workload;
import io.dispatchd.protocol.DurationConverter;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code bench}: the load generator, in redis-benchmark's conventions ({@code -c}, {@code -P},
 * {@code -n}) plus what its users ask for: a duration, a fixed rate without coordinated
 * omission, a service mix, a warm-up, machine-readable output, and a raw mode for other servers.
 * Turns flags into a {@link BenchConfig}; the run itself is {@link BenchRunner}'s.
 */
@CommandLine.Command(name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Load-tests a dispatchd server (or, with --raw, any line or fixed-size reply protocol).",
                "Prints throughput, replies by kind and latency percentiles; a progress line each second on stderr.",
                "",
                "Examples:",
                "  bench -c 50 -P 16 -d 10s --mix a:3,b:1",
                "  bench -c 10 --rate 20000 -d 30s --warmup 5s --json",
                "  bench --host localhost --tls --tls-ca-file ca.crt --token-file token -d 10s",
                "  bench --port 6379 --raw 'LPUSH q 88\\r\\n' --reply line --expect ':'",
                "  bench --port 6380 --tls --tls-ca-file ca.crt --raw 'LPUSH q 88\\r\\n' --reply line --expect ':'",
                "  bench --port 11300 --raw 'put 0 0 60 2\\r\\n88\\r\\n' --reply line --expect INSERTED"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the run completed (whatever the replies were: they are counted, not judged)",
                "1:could not connect (TLS handshake included), the token was refused, or connections were lost"
                        + " or went silent during the run",
                "2:bad arguments"})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    DispatchClientCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerAddressOptions server;

    @Option(names = {"-c", "--connections"}, paramLabel = "N", defaultValue = "" + BenchConfig.DEFAULT_CONNECTIONS,
            description = "Connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = {"-P", "--pipeline"}, paramLabel = "N", defaultValue = "" + BenchConfig.DEFAULT_PIPELINE,
            description = "Requests in flight per connection, at most (default: ${DEFAULT-VALUE}: no pipelining).")
    int pipeline;

    @Option(names = {"-n", "--requests"}, paramLabel = "N",
            description = "Measured requests in all (default: " + BenchConfig.DEFAULT_REQUESTS + " unless -d is given).")
    Long requests;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Measure for this long instead of a count, e.g. 10s.")
    Duration duration;

    @Option(names = "--rate", paramLabel = "REQ/S", defaultValue = "0",
            description = "Fixed aggregate rate; latency counts from each request's due time (default: 0, as fast as "
                    + "replies allow).")
    double rate;

    @Option(names = "--mix", paramLabel = "MIX",
            description = "Services by weight, e.g. a:3,b:1 (default: " + ServiceMix.DEFAULT + ").")
    String mix;

    @Option(names = "--qual-size", paramLabel = "BYTES", defaultValue = "" + Workload.DEFAULT_QUAL_SIZE,
            description = "Qual length in bytes (default: ${DEFAULT-VALUE}, a qual like 88).")
    int qualSize;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = BenchConfig.DEFAULT_WARMUP,
            converter = DurationConverter.class,
            description = "Send for this long before measuring (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "" + BenchConfig.DEFAULT_THREADS,
            description = "I/O threads (default: ${DEFAULT-VALUE}; the server usually needs the other cores).")
    int threads;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = BenchConfig.DEFAULT_TIMEOUT,
            converter = DurationConverter.class,
            description = "Give up after this long without a reply while requests are in flight (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--raw", paramLabel = "BYTES",
            description = "Send these bytes (C escapes: \\r \\n \\t \\xHH ...) instead of dispatchd requests.")
    String raw;

    @Option(names = "--reply", paramLabel = "FORMAT", defaultValue = "line",
            description = "With --raw: replies are a 'line' (up to LF) or 'bytes:N' (default: ${DEFAULT-VALUE}).")
    String reply;

    @Option(names = "--expect", paramLabel = "PREFIX", defaultValue = "",
            description = "With --raw: replies starting with PREFIX (C escapes) count as expected, others unexpected.")
    String expect;

    @Option(names = "--csv", description = "Print a CSV header and row instead of text.")
    boolean csv;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--label", paramLabel = "TEXT", defaultValue = "bench",
            description = "Scenario name in CSV and JSON output (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(names = "--hgrm", paramLabel = "FILE",
            description = "Also write the latency percentile distribution (HdrHistogram .hgrm, ms) to FILE.")
    Path hgrm;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        BenchConfig config = config();
        PrintWriter err = spec.commandLine().getErr();
        BenchResult result = new BenchRunner(config, quiet ? null : err).run();
        PrintWriter out = spec.commandLine().getOut();
        if (csv) {
            out.println(BenchReport.csvHeader(result));
            out.println(BenchReport.csvRow(result, label));
        } else if (json) {
            out.println(BenchReport.json(result, label));
        } else {
            BenchReport.text(result, out);
        }
        out.flush();
        if (hgrm != null) {
            BenchReport.writeHgrm(result, hgrm);
        }
        return result.errorCount() > 0 || result.unanswered() > 0 ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    /** The flags as a validated config; any inconsistency is a usage error (exit 2). */
    BenchConfig config() {
        try {
            if (csv && json) {
                throw new IllegalArgumentException("--csv and --json are exclusive");
            }
            if (requests != null && duration != null) {
                throw new IllegalArgumentException("-n and -d are exclusive: give a count or a duration");
            }
            if (raw != null && mix != null) {
                throw new IllegalArgumentException("--mix and --raw are exclusive");
            }
            if (raw == null && (!expect.isEmpty() || !reply.equals("line"))) {
                throw new IllegalArgumentException("--reply and --expect go with --raw");
            }
            Workload workload = raw == null
                    ? Workload.dispatchd(ServiceMix.parse(mix == null ? ServiceMix.DEFAULT : mix), qualSize)
                    : Workload.raw(nonEmpty(CEscapes.unescape(raw)), ReplyFormat.parse(reply), CEscapes.unescape(expect));
            long count = duration == null ? (requests == null ? BenchConfig.DEFAULT_REQUESTS : requests) : 0;
            if (duration == null && count <= 0) {
                throw new IllegalArgumentException("-n must be positive: " + count);
            }
            if (raw != null && server.tokenFileGiven()) {
                throw new IllegalArgumentException("--token-file goes with dispatchd requests, not --raw");
            }
            // in --raw mode the server is not dispatchd: a token in the environment is not for it
            String token = raw == null ? server.token(parent.env()) : null;
            return new BenchConfig(server.host(), server.port(), connections, pipeline, count, duration, rate, warmup,
                    threads, timeout, workload, server.tls(), token);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static byte[] nonEmpty(byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("--raw must not be empty");
        }
        return bytes;
    }
}
