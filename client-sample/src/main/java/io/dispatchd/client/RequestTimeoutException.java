package io.dispatchd.client;

import io.dispatchd.protocol.Request;

import java.time.Duration;

/**
 * No ack arrived within the request timeout. The connection stays usable: the request keeps its
 * place in the FIFO, so the late ack is still matched to it (and dropped) and later acks stay aligned.
 */
public final class RequestTimeoutException extends DispatchClientException {

    public RequestTimeoutException(Request request, Duration timeout) {
        super("no ack for '" + request.service() + ' ' + request.qual() + "' within " + timeout.toMillis() + " ms");
    }
}
