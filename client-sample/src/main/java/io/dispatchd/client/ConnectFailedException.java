package io.dispatchd.client;

import io.netty.channel.ConnectTimeoutException;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;

/** The TCP connection could not be made: refused, timed out, unknown host. Names {@code host:port}. */
public final class ConnectFailedException extends DispatchClientException {

    public ConnectFailedException(String address, String reason, Throwable cause) {
        super("cannot connect to dispatchd at " + address + ": " + reason, cause);
    }

    /** A connect failure in a few words: {@code connection refused}, {@code no answer within 5000 ms}. */
    public static String reason(Throwable cause, Duration connectTimeout) {
        if (cause instanceof ConnectTimeoutException) {
            return "no answer within " + connectTimeout.toMillis() + " ms";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host";
        }
        if (cause instanceof ConnectException && String.valueOf(cause.getMessage()).startsWith("Connection refused")) {
            return "connection refused";
        }
        return String.valueOf(cause);
    }
}
