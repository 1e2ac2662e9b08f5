package io.dispatchd.client;

/** The TCP connection could not be made: refused, timed out, unknown host. Names {@code host:port}. */
public final class ConnectFailedException extends DispatchClientException {

    public ConnectFailedException(String address, String reason, Throwable cause) {
        super("cannot connect to dispatchd at " + address + ": " + reason, cause);
    }
}
