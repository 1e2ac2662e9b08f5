package io.dispatchd.client;

/**
 * Base of every failure the client reports: the request may or may not have reached the server
 * (only an ack says it did). Acks themselves, {@code ?} and {@code !} included, are values, never
 * exceptions.
 */
public class DispatchClientException extends RuntimeException {

    public DispatchClientException(String message) {
        super(message);
    }

    public DispatchClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
