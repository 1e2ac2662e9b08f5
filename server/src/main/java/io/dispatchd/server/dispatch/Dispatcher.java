package io.dispatchd.server.dispatch;

import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.netty.util.concurrent.EventExecutor;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What every connection's {@link DispatchHandler} shares: the routes (each service with its
 * meters), where jobs go, when to ack, how many acks a connection may owe, how long a connection
 * goes unread while the admission is nearly full ({@link Duration#ZERO}: not at all), and, per
 * event loop, the connections waiting for room.
 */
public final class Dispatcher {

    private final DispatchMetrics routes;
    private final JobAdmission admission;
    private final AckMode ackMode;
    private final int maxInFlight;
    private final Duration backpressure;
    /** One per event loop: at most {@code --io-threads} entries. */
    private final ConcurrentMap<EventExecutor, RoomWaiters> roomWaiters = new ConcurrentHashMap<>();

    public Dispatcher(DispatchMetrics routes, JobAdmission admission, AckMode ackMode, int maxInFlight,
                      Duration backpressure) {
        this.routes = routes;
        this.admission = admission;
        this.ackMode = ackMode;
        this.maxInFlight = maxInFlight;
        this.backpressure = backpressure;
    }

    public DispatchHandler newHandler() {
        return new DispatchHandler(this);
    }

    public DispatchMetrics routes() {
        return routes;
    }

    public JobAdmission admission() {
        return admission;
    }

    public AckMode ackMode() {
        return ackMode;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public Duration backpressure() {
        return backpressure;
    }

    /** The connections of {@code loop} waiting for room in the admission. */
    RoomWaiters roomWaiters(EventExecutor loop) {
        return roomWaiters.computeIfAbsent(loop, l -> new RoomWaiters(admission, l));
    }
}
