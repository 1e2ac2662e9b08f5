package io.dispatchd.client.bench;

/** The run could not start or could not finish: no connection, or every connection lost. */
public final class BenchFailedException extends RuntimeException {

    public BenchFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
