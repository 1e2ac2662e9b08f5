package io.dispatchd.server.dispatch;

import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.metrics.DispatchMetrics;

/**
 * What every connection's {@link DispatchHandler} shares: the routes (each service with its
 * meters), where jobs go, when to ack, and how many acks a connection may owe.
 */
public record Dispatcher(DispatchMetrics routes, JobAdmission admission, AckMode ackMode, int maxInFlight) {

    public DispatchHandler newHandler() {
        return new DispatchHandler(this);
    }
}
