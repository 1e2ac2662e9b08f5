package io.dispatchd.server.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether this node can reach its brokers, for {@code /health} and the log. Two sources: a probe
 * every second (so a node that takes no traffic, or a worker, still notices), and the front's
 * deliveries (a job the brokers did not take in time says so at once; the next one they take says
 * they are back). The log has one line when the brokers go and one when they return.
 */
final class BrokerHealth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerHealth.class);
    private static final long PROBE_INTERVAL_MS = 1_000;
    private static final long PROBE_TIMEOUT_MS = 2_000;

    private final Admin admin;
    private final String bootstrap;
    private final ScheduledExecutorService prober;
    private volatile String probeFailure;
    private volatile String deliveryFailure;
    /** When {@link #deliveryFailure} was set, by {@link System#nanoTime()}. */
    private volatile long deliveryFailedAt;
    /** What the log last said, so that it speaks once per change; the prober's thread only. */
    private String logged;

    BrokerHealth(Admin admin, String bootstrap) {
        this.admin = admin;
        this.bootstrap = bootstrap;
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dispatchd-kafka-health");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        prober.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL_MS, PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** Why the brokers cannot be used right now; {@code null} while they can. */
    String unhealthy() {
        String probe = probeFailure;
        return probe != null ? probe : deliveryFailure;
    }

    /** The brokers did not take a job within the delivery timeout. */
    void deliveryFailed(Exception e) {
        deliveryFailedAt = System.nanoTime();
        deliveryFailure = "Kafka brokers at " + bootstrap + " did not take jobs: " + e.getMessage();
    }

    /** The brokers took a job. A volatile read on the request path, a write only after a failure. */
    void delivered() {
        if (deliveryFailure != null) {
            deliveryFailure = null;
        }
    }

    private void probe() {
        long started = System.nanoTime();
        try {
            admin.describeCluster().nodes().get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            probeFailure = null;
            if (deliveryFailure != null && deliveryFailedAt - started < 0) {
                // the brokers answered after that failure: a front that takes no requests must not stay 503
                deliveryFailure = null;
            }
        } catch (ExecutionException e) {
            probeFailure = "Kafka brokers at " + bootstrap + " unreachable: " + e.getCause().getMessage();
        } catch (TimeoutException e) {
            probeFailure = "Kafka brokers at " + bootstrap + " unreachable: no answer within " + PROBE_TIMEOUT_MS + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            probeFailure = "Kafka brokers at " + bootstrap + " unreachable: " + e;
        }
        String now = unhealthy();
        if (now != null && logged == null) {
            log.warn("{}; requests are answered '!' and /health says 503 until they are back", now);
        } else if (now == null && logged != null) {
            log.info("Kafka brokers at {} reachable again", bootstrap);
        }
        logged = now;
    }

    @Override
    public void close() {
        prober.shutdownNow();
    }
}
