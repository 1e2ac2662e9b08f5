package io.dispatchd.server.service;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A named unit of work clients can request: {@code WHICH QUAL} runs the service whose
 * {@link #key()} is {@code WHICH} with {@code QUAL} as its argument.
 *
 * <p>Services beyond the built-in {@code a}–{@code d} are plugged in with
 * {@link java.util.ServiceLoader}: put a class implementing this interface (public, with a
 * public no-argument constructor) in a jar, name it in
 * {@code META-INF/services/io.dispatchd.server.service.Service}, and start the server with the
 * jar on the class path. Two services claiming one key stop the server at startup.
 *
 * <p><b>Two kinds.</b> A synchronous service implements {@link #execute}: the job holds a worker
 * thread until it returns. A service that waits — on a timer, a database, an HTTP call — should
 * implement {@link #start} instead and return a stage that completes when the job is over: the
 * worker thread goes back to the pool at once, and the job holds no thread while it waits.
 * {@code --workers} bounds the threads running service code, {@code --max-running} the jobs in
 * progress of either kind.
 *
 * <p>Contract: a service runs on a bounded pool, so {@link #execute} (and {@link #start}, until it
 * returns) should not block for long without need, and must honour interrupts; the server
 * interrupts a synchronous job and cancels an asynchronous job's stage at {@code --job-timeout}
 * and at the drain deadline. A thrown exception, or a stage completed exceptionally, counts the
 * job failed ({@code -} in complete mode).
 */
public interface Service {

    /** The key clients name it by: 1–32 characters of {@code [A-Za-z0-9_-]}, matched case-insensitively. */
    String key();

    /**
     * Runs one job to its end on the calling worker thread, possibly on many threads at once. A
     * service implements this or {@link #start}.
     */
    default void execute(String qual, ServiceContext context) throws Exception {
        throw new UnsupportedOperationException(getClass().getName() + " implements neither execute nor start");
    }

    /**
     * Starts one job and returns a stage that completes when the job is over: normally for
     * success, exceptionally for failure. Called on a worker thread, which it should give back
     * soon; the stage may complete on any thread. The default runs {@link #execute} and returns a
     * completed stage.
     */
    default CompletionStage<?> start(String qual, ServiceContext context) throws Exception {
        execute(qual, context);
        return DONE;
    }

    /** A completed stage, for a {@link #start} whose job ended before it returned. */
    CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);
}
