package io.dispatchd.server.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The seed's engine: for a job {@code (qual, letter)} it emits the tokens {@code qual + letter + i}
 * with {@code i} zero-padded to at least three digits, {@code 88A000 88A001 … 88A499}, pausing
 * between two tokens. Tokens go to the logger {@value #LOGGER_NAME} at INFO; when that logger is
 * off, no token is even built.
 */
public final class Engine {

    public static final String LOGGER_NAME = "dispatchd.engine";

    private static final Logger TOKENS = LoggerFactory.getLogger(LOGGER_NAME);

    private final int iterations;
    private final long pauseNanos;

    public Engine(int iterations, Duration pause) {
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be >= 0");
        }
        this.iterations = iterations;
        this.pauseNanos = pause.toNanos();
    }

    /** Emits the job's tokens; returns early with {@link InterruptedException} when interrupted. */
    public void run(String qual, char letter) throws InterruptedException {
        boolean emit = TOKENS.isInfoEnabled();
        StringBuilder token = emit ? new StringBuilder(qual.length() + 8) : null;
        for (int i = 0; i < iterations; i++) {
            if (emit) {
                token.setLength(0);
                appendToken(token, qual, letter, i);
                TOKENS.info(token.toString());
            }
            if (i + 1 < iterations) {
                pause();
            }
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("job interrupted");
        }
    }

    /** The token for iteration {@code i}: {@code 88A007}. */
    public static String token(String qual, char letter, int i) {
        return appendToken(new StringBuilder(), qual, letter, i).toString();
    }

    private static StringBuilder appendToken(StringBuilder sb, String qual, char letter, int i) {
        sb.append(qual).append(letter);
        if (i < 100) {
            sb.append('0');
        }
        if (i < 10) {
            sb.append('0');
        }
        return sb.append(i);
    }

    /** Parks for the pause, resuming after early wake-ups, and gives up on interrupt. */
    private void pause() throws InterruptedException {
        if (pauseNanos <= 0) {
            if (Thread.interrupted()) {
                throw new InterruptedException("job interrupted");
            }
            return;
        }
        long deadline = System.nanoTime() + pauseNanos;
        long left = pauseNanos;
        do {
            LockSupport.parkNanos(this, left);
            if (Thread.interrupted()) {
                throw new InterruptedException("job interrupted");
            }
            left = deadline - System.nanoTime();
        } while (left > 0);
    }
}
