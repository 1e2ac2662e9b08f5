package io.dispatchd.client.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The printed result of a run, for people (text), spreadsheets (CSV) and scripts (JSON). Times
 * are milliseconds with microsecond precision; numbers use a dot whatever the locale.
 */
public final class BenchReport {

    private BenchReport() {
    }

    /**
     * For people:
     * <pre>
     * target      127.0.0.1:7070, dispatchd, mix a:1, qual 2 bytes
     * load        50 connections, pipeline 16, as fast as acks allow
     * requests    100000 in 1.234 s = 81037.3 req/s
     * replies     + OK 99000, - FAILED 0, ? BAD_REQUEST 1000, ! BUSY 0, other 0
     * latency ms  p50 0.512, p90 0.901, p99 2.100, p99.9 4.000, max 9.100
     * </pre>
     */
    public static void text(BenchResult r, PrintWriter out) {
        BenchConfig c = r.config();
        out.printf(Locale.ROOT, "target      %s:%d, %s%n", c.host(), c.port(), c.workload().description());
        out.printf(Locale.ROOT, "load        %d connections, pipeline %d, %s%s%n", c.connections(), c.pipeline(),
                c.fixedRate() ? String.format(Locale.ROOT, "fixed rate %.1f req/s", c.rate()) : "as fast as replies allow",
                c.warmup().isZero() ? "" : ", warm-up " + c.warmup().toMillis() + " ms");
        TlsHandshakes tls = r.handshakes();
        if (tls != null) {
            out.printf(Locale.ROOT, "tls         %d handshakes in %.3f s = %.1f/s, %s %s%n", tls.count(), tls.seconds(),
                    tls.perSecond(), tls.protocol(), tls.cipherSuite());
        }
        out.printf(Locale.ROOT, "requests    %d in %.3f s = %.1f req/s%n", r.requests(), r.seconds(), r.throughput());
        List<String> counts = new ArrayList<>();
        for (BenchResult.ReplyCount count : r.replies()) {
            counts.add(count.label() + " " + count.count());
        }
        out.printf(Locale.ROOT, "replies     %s%n", String.join(", ", counts));
        LatencySummary l = r.latency();
        out.printf(Locale.ROOT, "latency ms  p50 %s, p90 %s, p99 %s, p99.9 %s, max %s%n",
                ms(l.p50()), ms(l.p90()), ms(l.p99()), ms(l.p999()), ms(l.max()));
        if (r.missed() > 0) {
            out.printf(Locale.ROOT, "missed      %d requests fell due but were not sent before the end:"
                    + " the server fell behind the rate%n", r.missed());
        }
        if (r.unanswered() > 0 || r.errorCount() > 0) {
            out.printf(Locale.ROOT, "errors      %d connection errors, %d requests unanswered%n", r.errorCount(), r.unanswered());
            for (String error : r.errors()) {
                out.printf(Locale.ROOT, "            %s%n", error);
            }
        }
        out.flush();
    }

    /** The CSV header row; reply kinds are the workload's keys; with TLS, the handshake columns last. */
    public static String csvHeader(BenchResult r) {
        List<String> columns = new ArrayList<>(List.of("label", "host", "port", "connections", "pipeline", "rate",
                "requests", "seconds", "throughput"));
        r.replies().forEach(count -> columns.add(count.key()));
        columns.addAll(List.of("p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms", "missed", "unanswered", "errors"));
        if (r.handshakes() != null) {
            columns.addAll(List.of("tls_handshakes", "tls_seconds", "tls_per_second"));
        }
        return String.join(",", columns);
    }

    /** One CSV row; {@code label} names the scenario (quoted if it needs to be). */
    public static String csvRow(BenchResult r, String label) {
        BenchConfig c = r.config();
        List<String> cells = new ArrayList<>(List.of(csvQuote(label), csvQuote(c.host()), "" + c.port(),
                "" + c.connections(), "" + c.pipeline(), num(c.rate(), 1), "" + r.requests(), num(r.seconds(), 3),
                num(r.throughput(), 1)));
        r.replies().forEach(count -> cells.add("" + count.count()));
        LatencySummary l = r.latency();
        cells.addAll(List.of(ms(l.p50()), ms(l.p90()), ms(l.p99()), ms(l.p999()), ms(l.max()), num(l.mean() / 1e6, 3),
                "" + r.missed(), "" + r.unanswered(), "" + r.errorCount()));
        TlsHandshakes tls = r.handshakes();
        if (tls != null) {
            cells.addAll(List.of("" + tls.count(), num(tls.seconds(), 3), num(tls.perSecond(), 1)));
        }
        return String.join(",", cells);
    }

    /** One JSON object on one line, keys as in the CSV; with TLS, a {@code tls} object with the handshakes. */
    public static String json(BenchResult r, String label) {
        BenchConfig c = r.config();
        LatencySummary l = r.latency();
        StringBuilder json = new StringBuilder("{");
        json.append("\"label\":").append(jsonString(label))
                .append(",\"host\":").append(jsonString(c.host()))
                .append(",\"port\":").append(c.port())
                .append(",\"workload\":").append(jsonString(c.workload().description()))
                .append(",\"connections\":").append(c.connections())
                .append(",\"pipeline\":").append(c.pipeline())
                .append(",\"rate\":").append(num(c.rate(), 1))
                .append(",\"requests\":").append(r.requests())
                .append(",\"seconds\":").append(num(r.seconds(), 3))
                .append(",\"throughput\":").append(num(r.throughput(), 1))
                .append(",\"replies\":{");
        for (int i = 0; i < r.replies().size(); i++) {
            BenchResult.ReplyCount count = r.replies().get(i);
            json.append(i == 0 ? "" : ",").append(jsonString(count.key())).append(':').append(count.count());
        }
        json.append("},\"latency_ms\":{")
                .append("\"p50\":").append(ms(l.p50()))
                .append(",\"p90\":").append(ms(l.p90()))
                .append(",\"p99\":").append(ms(l.p99()))
                .append(",\"p99.9\":").append(ms(l.p999()))
                .append(",\"max\":").append(ms(l.max()))
                .append(",\"mean\":").append(num(l.mean() / 1e6, 3))
                .append("},\"missed\":").append(r.missed())
                .append(",\"unanswered\":").append(r.unanswered())
                .append(",\"errors\":[");
        for (int i = 0; i < r.errors().size(); i++) {
            json.append(i == 0 ? "" : ",").append(jsonString(r.errors().get(i)));
        }
        json.append(']');
        TlsHandshakes tls = r.handshakes();
        if (tls != null) {
            json.append(",\"tls\":{\"handshakes\":").append(tls.count())
                    .append(",\"seconds\":").append(num(tls.seconds(), 3))
                    .append(",\"per_second\":").append(num(tls.perSecond(), 1))
                    .append(",\"protocol\":").append(jsonString(tls.protocol()))
                    .append(",\"cipher_suite\":").append(jsonString(tls.cipherSuite()))
                    .append('}');
        }
        return json.append('}').toString();
    }

    /** The HdrHistogram percentile distribution (.hgrm), in milliseconds: what latency plots are drawn from. */
    public static void writeHgrm(BenchResult r, Path file) throws IOException {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), true, java.nio.charset.StandardCharsets.UTF_8)) {
            r.histogram().outputPercentileDistribution(out, 5, 1e6);
        }
    }

    private static String ms(long nanos) {
        return num(nanos / 1e6, 3);
    }

    private static String num(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String csvQuote(String cell) {
        return cell.contains(",") || cell.contains("\"") || cell.contains("\n")
                ? '"' + cell.replace("\"", "\"\"") + '"' : cell;
    }

    private static String jsonString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
