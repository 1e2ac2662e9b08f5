package io.dispatchd.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * A Kafka node's meters (see {@link DispatchMetrics#bindKafka}):
 * <pre>
 *   dispatchd_kafka_jobs_produced_total           jobs the brokers acknowledged (a front's {@code +})
 *   dispatchd_kafka_produce_failures_total        jobs the producer could not hand over (answered {@code !})
 *   dispatchd_kafka_produce_seconds               histogram: send to broker acknowledgement
 *   dispatchd_kafka_producer_buffer_bytes         gauge: the producer's buffer in use
 *   dispatchd_kafka_jobs_consumed_total           jobs a worker took from the topic, redeliveries included
 *   dispatchd_kafka_redeliveries_total            of those, deliveries after the first (a failure or a dead worker)
 *   dispatchd_kafka_jobs_released_total           jobs given back for another try or another worker
 *   dispatchd_kafka_jobs_rejected_total           jobs failed --max-attempts times, or unreadable: dropped for good
 * </pre>
 */
public final class KafkaMeters {

    private final Counter produced;
    private final Counter produceFailures;
    private final Timer produceLatency;
    private final Counter consumed;
    private final Counter redeliveries;
    private final Counter released;
    private final Counter rejected;

    KafkaMeters(Counter produced, Counter produceFailures, Timer produceLatency, Counter consumed,
                Counter redeliveries, Counter released, Counter rejected) {
        this.produced = produced;
        this.produceFailures = produceFailures;
        this.produceLatency = produceLatency;
        this.consumed = consumed;
        this.redeliveries = redeliveries;
        this.released = released;
        this.rejected = rejected;
    }

    public void produced(long nanos) {
        produced.increment();
        produceLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void produceFailed() {
        produceFailures.increment();
    }

    /** A job taken from the topic; {@code delivery} is 1 the first time. */
    public void consumed(int delivery) {
        consumed.increment();
        if (delivery > 1) {
            redeliveries.increment();
        }
    }

    public void released() {
        released.increment();
    }

    public void rejected() {
        rejected.increment();
    }
}
