package io.dispatchd.client.bench;

import io.dispatchd.protocol.Ack;
import io.dispatchd.protocol.Request;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the bench sends and how it reads the answers: the request bytes, encoded once before the
 * run (the hot path only writes them), a framer per connection, and the kinds replies are
 * counted under.
 *
 * @param description  for the report: {@code dispatchd mix a:3,b:1, qual 2 bytes}
 * @param requests     one period of request bytes; connections send them round and round
 * @param replyKeys    reply kinds as CSV/JSON keys ({@code ok}, {@code busy}, ...)
 * @param replyLabels  reply kinds as people read them ({@code + OK}, {@code ! BUSY}, ...)
 * @param framers      a new framer for each connection
 */
public record Workload(String description, List<byte[]> requests, List<String> replyKeys, List<String> replyLabels,
                       Supplier<ReplyFramer> framers) {

    /** Default qual length in bytes: 2, so {@code 88}, as in the README's example request {@code a 88}. */
    public static final int DEFAULT_QUAL_SIZE = 2;
    /** The server's default --max-line is 1024 bytes: quals beyond it would only measure refusals. */
    public static final int MAX_QUAL_SIZE = 1000;

    public Workload {
        Objects.requireNonNull(description, "description");
        if (requests.isEmpty() || requests.stream().anyMatch(r -> r.length == 0)) {
            throw new IllegalArgumentException("a workload needs non-empty requests");
        }
        if (replyKeys.size() != replyLabels.size() || replyKeys.isEmpty()) {
            throw new IllegalArgumentException("reply kinds need a key and a label each");
        }
        requests = List.copyOf(requests);
        replyKeys = List.copyOf(replyKeys);
        replyLabels = List.copyOf(replyLabels);
        Objects.requireNonNull(framers, "framers");
    }

    /**
     * dispatchd requests: services by {@code mix}, each with a qual of {@code qualSize} digits
     * ({@code 88}, {@code 8888}, ...); replies are ack bytes.
     */
    public static Workload dispatchd(ServiceMix mix, int qualSize) {
        if (qualSize < 1 || qualSize > MAX_QUAL_SIZE) {
            throw new IllegalArgumentException("qual size must be 1-" + MAX_QUAL_SIZE + ": " + qualSize);
        }
        String qual = "8".repeat(qualSize);
        List<byte[]> requests = new ArrayList<>();
        for (String service : mix.cycle()) {
            requests.add(new Request(service, qual).toLine().getBytes(StandardCharsets.UTF_8));
        }
        List<String> keys = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Ack ack : Ack.values()) {
            keys.add(ack.key());
            labels.add(ack.label());
        }
        keys.add("other");
        labels.add("other");
        return new Workload("dispatchd, mix " + mix + ", qual " + qualSize + " bytes", requests, keys, labels,
                AckReplyFramer::new);
    }

    /**
     * Any protocol: the same raw bytes every time, replies framed by {@code format} and counted as
     * {@code expected} when they start with {@code expect} (every reply, when it is empty).
     */
    public static Workload raw(byte[] request, ReplyFormat format, byte[] expect) {
        byte[] expected = expect.clone();
        return new Workload("raw " + request.length + " bytes, reply " + format
                + (expect.length > 0 ? ", expect '" + new String(expect, StandardCharsets.UTF_8) + "'" : ""),
                List.of(request.clone()), List.of("expected", "unexpected"), List.of("expected", "unexpected"),
                () -> format.newFramer(expected));
    }
}
