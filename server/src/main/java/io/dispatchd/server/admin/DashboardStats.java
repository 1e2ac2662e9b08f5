package io.dispatchd.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.metrics.ServiceMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What the dashboard shows, computed once a second for every viewer together ({@link #sample}),
 * never per request: one JSON document, which {@code GET /stats} returns and {@code GET /events}
 * pushes. It reads the meters the server keeps anyway; the request path pays nothing for it.
 * Rates are differences of counters between two samples; the last {@value #HISTORY} seconds of
 * them are kept for the charts. The document comes in two forms: {@link #json} with the whole
 * {@code history} (for {@code /stats} and a stream's first event), and {@link #latestJson} with
 * only the second's {@code latest} rates (each later event: a few hundred bytes, not the whole
 * history again).
 */
public final class DashboardStats {

    /** Seconds of per-second rates kept for the charts. */
    static final int HISTORY = 300;
    private static final String[] ACKS = {"ok", "failed", "bad_request", "busy"};
    private static final double[] QUANTILES = {0.5, 0.9, 0.99};
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DispatchMetrics metrics;
    private final Collection<String> services;
    private final Supplier<Map<String, Object>> server;
    private final long startMillis = System.currentTimeMillis();
    private final ArrayDeque<Map<String, Object>> history = new ArrayDeque<>();
    private Map<String, Double> lastTotals = Map.of();
    private long lastSampleNanos;
    /** The last sample without its history; the history goes in when {@link #json} is asked for. */
    private Map<String, Object> lastDoc;
    /** {@link #json} of the last sample, made on the first ask after it. */
    private String json;
    private volatile String latestJson = "{}";

    /**
     * @param services the service keys
     * @param server   the server's own facts each second: version, draining, configuration, backend
     */
    public DashboardStats(DispatchMetrics metrics, Collection<String> services, Supplier<Map<String, Object>> server) {
        this.metrics = metrics;
        this.services = services;
        this.server = server;
    }

    /** The latest snapshot with the whole history, as JSON: made at most once a sample, and only when asked for. */
    public synchronized String json() {
        if (json == null) {
            if (lastDoc == null) {
                return "{}";
            }
            Map<String, Object> doc = new LinkedHashMap<>(lastDoc);
            doc.put("history", history);
            json = write(doc);
        }
        return json;
    }

    /** The latest snapshot with only the last second's rates ({@code latest}), as JSON. */
    public String latestJson() {
        return latestJson;
    }

    /** Takes the second's sample; on one thread (the admin's timer), once a second. */
    public synchronized void sample() {
        long now = System.nanoTime();
        double seconds = lastSampleNanos == 0 ? 1 : Math.max(1e-3, (now - lastSampleNanos) / 1e9);
        lastSampleNanos = now;
        MeterRegistry r = metrics.registry();
        Map<String, Double> totals = new TreeMap<>();
        for (Meter m : r.find("dispatchd.requests").meters()) {
            if (m instanceof Counter c) {
                String service = c.getId().getTag("service");
                String ack = c.getId().getTag("ack");
                totals.merge("ack:" + ack, c.count(), Double::sum);
                totals.merge("service:" + service, c.count(), Double::sum);
            }
        }
        for (Meter m : r.find("dispatchd.jobs.completed").meters()) {
            if (m instanceof Counter c) {
                totals.merge("outcome:" + c.getId().getTag("outcome"), c.count(), Double::sum);
            }
        }
        Map<String, Object> rate = new LinkedHashMap<>();
        rate.put("t", System.currentTimeMillis());
        Map<String, Object> byAck = new LinkedHashMap<>();
        for (String ack : ACKS) {
            byAck.put(ack, perSecond(totals, "ack:" + ack, seconds));
        }
        rate.put("ack", byAck);
        Map<String, Object> byService = new LinkedHashMap<>();
        for (String s : services) {
            byService.put(s, perSecond(totals, "service:" + s, seconds));
        }
        rate.put("service", byService);
        rate.put("completed", perSecond(totals, "outcome:ok", seconds) + perSecond(totals, "outcome:failed", seconds));
        lastTotals = totals;
        history.addLast(rate);
        while (history.size() > HISTORY) {
            history.removeFirst();
        }

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("time", System.currentTimeMillis());
        doc.put("uptimeSeconds", (System.currentTimeMillis() - startMillis) / 1000);
        doc.putAll(server.get());
        Map<String, Object> jobs = new LinkedHashMap<>();
        jobs.put("queued", gauge(r, "dispatchd.jobs.queued"));
        jobs.put("running", gauge(r, "dispatchd.jobs.running"));
        jobs.put("completedOk", totals.getOrDefault("outcome:ok", 0.0).longValue());
        jobs.put("completedFailed", totals.getOrDefault("outcome:failed", 0.0).longValue());
        doc.put("jobs", jobs);
        doc.put("connections", (long) gauge(r, "dispatchd.connections"));
        Map<String, Object> requests = new LinkedHashMap<>();
        for (String ack : ACKS) {
            requests.put(ack, totals.getOrDefault("ack:" + ack, 0.0).longValue());
        }
        doc.put("requests", requests);
        Map<String, Object> durations = new LinkedHashMap<>();
        for (String s : services) {
            ServiceMeters meters = metrics.service(s);
            Map<String, Object> q = new LinkedHashMap<>();
            for (double quantile : QUANTILES) {
                double bound = meters.durations().quantileSeconds(quantile);
                q.put("p" + Math.round(quantile * 100), Double.isNaN(bound) ? null : bound); // null: no job yet
            }
            durations.put(s, q);
        }
        doc.put("durationSeconds", durations);
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        doc.put("memory", Map.of("heapUsedBytes", heap.getUsed(), "heapMaxBytes", heap.getMax()));
        lastDoc = new LinkedHashMap<>(doc);
        json = null;
        doc.put("latest", rate);
        latestJson = write(doc);
    }

    private static String write(Map<String, Object> doc) {
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the dashboard's document is maps, lists, strings and numbers", e);
        }
    }

    private double perSecond(Map<String, Double> totals, String key, double seconds) {
        double delta = totals.getOrDefault(key, 0.0) - lastTotals.getOrDefault(key, 0.0);
        return Math.max(0, Math.round(delta / seconds * 10) / 10.0);
    }

    private static double gauge(MeterRegistry r, String name) {
        Gauge g = r.find(name).gauge();
        return g == null ? 0 : g.value();
    }
}
