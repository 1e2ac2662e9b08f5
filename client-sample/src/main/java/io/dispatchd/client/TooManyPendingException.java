package io.dispatchd.client;

/**
 * {@code maxPending} requests already await their acks: the request was not sent. Slow down (wait
 * for some futures) or raise {@link ClientOptions#maxPending()}.
 */
public final class TooManyPendingException extends DispatchClientException {

    public TooManyPendingException(int maxPending) {
        super("request not sent: " + maxPending + " requests already await their acks (maxPending)");
    }
}
