package io.dispatchd.client;

/**
 * The connection ended before the request was acked: closed by the server, lost to an I/O or
 * protocol error, or closed by this client. The request may or may not have run.
 */
public final class ConnectionClosedException extends DispatchClientException {

    private final boolean closedByClient;

    public ConnectionClosedException(String message, boolean closedByClient, Throwable cause) {
        super(message, cause);
        this.closedByClient = closedByClient;
    }

    /** Whether this client's own {@code close()} ended the connection (rather than the server or an error). */
    public boolean closedByClient() {
        return closedByClient;
    }
}
