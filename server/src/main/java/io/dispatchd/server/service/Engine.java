package io.dispatchd.server.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The built-in engine: for a job {@code (qual, letter)} it emits the tokens {@code qual + letter + i}
 * with {@code i} zero-padded to at least three digits, {@code 88A000 88A001 … 88A499}, pausing
 * between two tokens. Tokens go to the logger {@value #LOGGER_NAME} at INFO, one per line; with a
 * pause, one log event carries the tokens of all running jobs over at most a millisecond, less
 * when a job ends (a line each), so the output costs an event per batch rather than per token.
 * When that logger is off, no token is even built.
 *
 * <p>With a pause, the pauses are kept by one {@link EngineClock} for all running jobs rather than
 * by parking each job's thread per token; without one, the tokens are emitted on the worker at once.
 */
public final class Engine implements AutoCloseable {

    public static final String LOGGER_NAME = "dispatchd.engine";

    private static final Logger TOKENS = LoggerFactory.getLogger(LOGGER_NAME);

    private final int iterations;
    private final Consumer<String> tokens;
    private final EngineClock clock;

    public Engine(int iterations, Duration pause) {
        this(iterations, pause, TOKENS.isInfoEnabled() ? TOKENS::info : null);
    }

    /** An engine whose tokens go to {@code tokens} ({@code null}: nowhere, and none is built). */
    Engine(int iterations, Duration pause, Consumer<String> tokens) {
        this(iterations, pause, tokens, EngineClock.HAND_OVER_NANOS);
    }

    /** As above, handing tokens over at least every {@code handOverNanos} (tests choose it). */
    Engine(int iterations, Duration pause, Consumer<String> tokens, long handOverNanos) {
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be >= 0");
        }
        this.iterations = iterations;
        this.tokens = tokens;
        this.clock = pause.isZero() || iterations <= 1 ? null
                : new EngineClock(pause.toNanos(), tokens, handOverNanos);
    }

    /**
     * Starts the job's tokens and returns at once: the stage completes after the last one, and the
     * job holds no thread meanwhile. Without a pause the tokens are emitted now and the stage is
     * complete. Cancelling the stage stops the run.
     */
    public CompletableFuture<Void> start(String qual, char letter) {
        if (clock != null) {
            return clock.start(qual, letter, iterations);
        }
        for (int i = 0; i < iterations; i++) {
            if (tokens != null) {
                tokens.accept(token(qual, letter, i));
            }
        }
        return Service.DONE.toCompletableFuture(); // the one completed stage: nothing allocated per job
    }

    /**
     * Emits the job's tokens, blocking the calling thread until the last (for a synchronous
     * service that calls the engine); returns early with {@link InterruptedException} when interrupted.
     */
    public void run(String qual, char letter) throws InterruptedException {
        if (clock != null) {
            clock.run(qual, letter, iterations);
            return;
        }
        start(qual, letter); // without a clock the tokens are emitted now
        if (Thread.interrupted()) {
            throw new InterruptedException("job interrupted");
        }
    }

    /** Stops the clock's thread, if it has one; for after the last job. */
    @Override
    public void close() {
        if (clock != null) {
            clock.close();
        }
    }

    /** The token for iteration {@code i}: {@code 88A007}. */
    public static String token(String qual, char letter, int i) {
        return appendToken(new StringBuilder(qual.length() + 8), qual, letter, i).toString();
    }

    /** Appends the token for iteration {@code i} to {@code sb}. */
    static StringBuilder appendToken(StringBuilder sb, String qual, char letter, int i) {
        sb.append(qual).append(letter);
        if (i < 100) {
            sb.append('0');
        }
        if (i < 10) {
            sb.append('0');
        }
        return sb.append(i);
    }
}
