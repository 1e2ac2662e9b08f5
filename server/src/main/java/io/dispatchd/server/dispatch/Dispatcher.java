package io.dispatchd.server.dispatch;

import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.metrics.DispatchMetrics;

import java.time.Duration;

/**
 * What every connection's {@link DispatchHandler} shares: the routes (each service with its
 * meters), where jobs go, when to ack, how many acks a connection may owe, and how long a
 * connection goes unread while the admission is nearly full ({@link Duration#ZERO}: not at all).
 */
public record Dispatcher(DispatchMetrics routes, JobAdmission admission, AckMode ackMode, int maxInFlight,
                         Duration backpressure) {

    public DispatchHandler newHandler() {
        return new DispatchHandler(this);
    }
}
