package io.dispatchd.server.kafka;

import io.dispatchd.server.executor.Job;
import io.dispatchd.server.executor.JobTicket;
import io.dispatchd.server.executor.Refusal;
import io.dispatchd.server.metrics.KafkaMeters;
import io.dispatchd.server.pipeline.RateLimitedLog;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A front's half of the Kafka admission: each job becomes a record on the topic, and its ticket
 * hears {@code admitted} only when the brokers have acknowledged it ({@code acks=all}), or
 * {@code refused} when the producer cannot take it now (its buffer full, no metadata: at once, the
 * event loop never waits) or the brokers did not take it within the delivery timeout. Acks still
 * leave in each connection's order: the pipeline orders them, whatever order the brokers answer in.
 */
final class KafkaFront implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaFront.class);
    private static final RateLimitedLog REFUSING = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    /** How long {@link #start} waits for the topic's metadata before it gives up. */
    private static final long METADATA_WAIT_MS = KafkaClients.ADMIN_TIMEOUT_MS;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final KafkaMeters meters;
    private final BrokerHealth health;
    private volatile boolean admitting = true;

    KafkaFront(Producer<byte[], byte[]> producer, String topic, KafkaMeters meters, BrokerHealth health) {
        this.producer = producer;
        this.topic = topic;
        this.meters = meters;
        this.health = health;
    }

    /**
     * Fetches the topic's metadata, so that the first request does not find it missing: with
     * {@code max.block.ms=0} each try only asks for it, and we ask again until it is there.
     */
    void start() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(METADATA_WAIT_MS);
        while (true) {
            try {
                if (!producer.partitionsFor(topic).isEmpty()) {
                    return;
                }
            } catch (KafkaException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no metadata for Kafka topic " + topic + " within "
                            + METADATA_WAIT_MS / 1000 + "s: " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(20); // a retry's backoff: metadata arrives on the producer's own thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka metadata", e);
            }
        }
    }

    void offer(Job job, JobTicket ticket) {
        if (!admitting) {
            ticket.refused(Refusal.DRAINING);
            return;
        }
        long sent = System.nanoTime();
        try {
            producer.send(new ProducerRecord<>(topic, KafkaJobCodec.encode(job)), new Delivery(ticket, sent));
        } catch (KafkaException e) {
            // BufferExhaustedException, or no metadata (TimeoutException): max.block.ms=0 said so at once
            meters.produceFailed();
            REFUSING.warn("Kafka producer cannot take jobs now, answering '!': {}", e.getMessage());
            ticket.refused(Refusal.BROKER_UNAVAILABLE);
        }
    }

    /** Bytes of a producer's buffer in use: its total less what is free. */
    static double bufferInUse(Producer<?, ?> producer) {
        double total = 0;
        double available = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (!e.getKey().group().equals("producer-metrics")) {
                continue;
            }
            switch (e.getKey().name()) {
                case "buffer-total-bytes" -> total = ((Number) e.getValue().metricValue()).doubleValue();
                case "buffer-available-bytes" -> available = ((Number) e.getValue().metricValue()).doubleValue();
                default -> { }
            }
        }
        return total - available;
    }

    void stopAdmitting() {
        admitting = false;
    }

    /** Waits for the brokers' answers to every job sent, up to {@code deadline}. */
    void finish(Duration deadline) {
        producer.close(deadline);
    }

    @Override
    public void close() {
        producer.close(Duration.ZERO);
    }

    /** The brokers' answer for one job, on the producer's I/O thread. */
    private final class Delivery implements Callback {
        private final JobTicket ticket;
        private final long sent;

        Delivery(JobTicket ticket, long sent) {
            this.ticket = ticket;
            this.sent = sent;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception e) {
            if (e == null) {
                meters.produced(System.nanoTime() - sent);
                health.delivered();
                ticket.admitted();
            } else {
                meters.produceFailed();
                health.deliveryFailed(e);
                REFUSING.warn("Kafka brokers did not take a job, answering '!': {}", e.getMessage());
                ticket.refused(Refusal.BROKER_UNAVAILABLE);
            }
        }
    }
}
