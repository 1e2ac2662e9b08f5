package io.dispatchd.server.service;

/**
 * A named unit of work clients can request: {@code WHICH QUAL} runs the service whose
 * {@link #key()} is {@code WHICH} with {@code QUAL} as its argument, on a worker thread.
 *
 * <p>Services beyond the built-in {@code a}–{@code d} are plugged in with
 * {@link java.util.ServiceLoader}: put a class implementing this interface (public, with a
 * public no-argument constructor) in a jar, name it in
 * {@code META-INF/services/io.dispatchd.server.service.Service}, and start the server with the
 * jar on the class path. Two services claiming one key stop the server at startup.
 *
 * <p>Contract for {@link #execute}: it runs on a bounded pool, so it should not block for long
 * without need; it must honour interrupts (the server interrupts it at {@code --job-timeout} and at
 * the drain deadline); a thrown exception counts the job failed ({@code -} in complete mode).
 */
public interface Service {

    /** The key clients name it by: 1–32 characters of {@code [A-Za-z0-9_-]}, matched case-insensitively. */
    String key();

    /** Runs one job. Called on a worker thread, possibly on many threads at once. */
    void execute(String qual, ServiceContext context) throws Exception;
}
