package io.dispatchd.server.service;

import io.dispatchd.protocol.Durations;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The documented example of a service that waits without a thread, registered beside
 * {@link UpperService}: {@code sleep 250ms} is over a quarter of a second later, and meanwhile its
 * job holds no worker. It implements {@link #start} instead of {@code execute}: a stage, completed
 * by one shared timer thread, in place of a worker thread sleeping. A service calling a database or
 * an HTTP API with an asynchronous client returns that client's stage the same way.
 */
public final class SleepService implements Service {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sleep-service-timer");
        t.setDaemon(true);
        return t;
    });

    @Override
    public String key() {
        return "sleep";
    }

    @Override
    public CompletionStage<?> start(String qual, ServiceContext context) {
        long nanos = Durations.parse(qual).toNanos(); // a bad duration throws: the job fails
        CompletableFuture<Void> over = new CompletableFuture<>();
        TIMER.schedule(() -> over.complete(null), nanos, TimeUnit.NANOSECONDS);
        return over;
    }
}
