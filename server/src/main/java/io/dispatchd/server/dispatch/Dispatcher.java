package io.dispatchd.server.dispatch;

import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.executor.JobIds;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.service.ServiceRegistry;
import io.netty.util.concurrent.EventExecutor;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What every connection's {@link DispatchHandler} shares: the services a request may name, the
 * meters, the job ids, where jobs go, when to ack, how many acks a connection may owe, how long a connection
 * goes unread while the admission is nearly full ({@link Duration#ZERO}: not at all), and, per
 * event loop, the connections waiting for room.
 */
public final class Dispatcher {

    private final ServiceRegistry services;
    private final DispatchMetrics metrics;
    private final JobIds jobIds;
    private final JobAdmission admission;
    private final AckMode ackMode;
    private final int maxInFlight;
    private final Duration backpressure;
    /** One per event loop: at most {@code --io-threads} entries. */
    private final ConcurrentMap<EventExecutor, RoomWaiters> roomWaiters = new ConcurrentHashMap<>();

    public Dispatcher(ServiceRegistry services, DispatchMetrics metrics, JobIds jobIds, JobAdmission admission,
                      AckMode ackMode, int maxInFlight, Duration backpressure) {
        this.services = services;
        this.metrics = metrics;
        this.jobIds = jobIds;
        this.admission = admission;
        this.ackMode = ackMode;
        this.maxInFlight = maxInFlight;
        this.backpressure = backpressure;
    }

    public DispatchHandler newHandler() {
        return new DispatchHandler(this);
    }

    public ServiceRegistry services() {
        return services;
    }

    public DispatchMetrics metrics() {
        return metrics;
    }

    public JobIds jobIds() {
        return jobIds;
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
