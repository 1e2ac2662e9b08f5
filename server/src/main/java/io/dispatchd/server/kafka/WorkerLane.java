package io.dispatchd.server.kafka;

import io.dispatchd.server.executor.Job;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.executor.JobIds;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.executor.JobTicket;
import io.dispatchd.server.executor.Refusal;
import io.dispatchd.server.metrics.KafkaMeters;
import io.dispatchd.server.metrics.ServiceMeters;
import io.dispatchd.server.pipeline.RateLimitedLog;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One share consumer of a worker node, on a thread of its own: it polls a batch of at most
 * {@code batch} jobs, offers each to the node's executor, and acknowledges each as it ends —
 * {@code ACCEPT} when it ran OK, {@code RELEASE} when it failed with attempts left or was cut off by
 * a drain (another worker takes it), {@code REJECT} after {@code --max-attempts} failed deliveries.
 * A share consumer in explicit mode must acknowledge a whole batch before it polls again, so a node
 * runs a few lanes: while one waits for the end of its batch, the others keep the workers fed.
 *
 * <p>Nothing is acknowledged before its job has ended, so a worker killed with {@code kill -9}
 * loses nothing: the brokers hand its jobs to the other workers when their locks expire
 * (the brokers' {@code group.share.record.lock.duration.ms}).
 */
final class WorkerLane implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(WorkerLane.class);
    private static final RateLimitedLog TROUBLE = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    /** At stop, how long the last acknowledgements get to reach the brokers. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final ShareConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final JobAdmission executor;
    private final JobIds ids;
    private final int maxAttempts;
    private final KafkaMeters meters;
    private final Function<String, ServiceMeters> serviceMeters;
    /** Ended jobs, handed from the worker threads to this lane's thread, which alone may touch the consumer. */
    private final BlockingQueue<Ended> ended;
    private final Thread thread;
    private final AtomicBoolean polling = new AtomicBoolean(true);
    private volatile boolean started;

    WorkerLane(ShareConsumer<byte[], byte[]> consumer, String topic, int batch, JobAdmission executor, JobIds ids,
               int maxAttempts, KafkaMeters meters, Function<String, ServiceMeters> serviceMeters, String name) {
        this.consumer = consumer;
        this.topic = topic;
        this.executor = executor;
        this.ids = ids;
        this.maxAttempts = maxAttempts;
        this.meters = meters;
        this.serviceMeters = serviceMeters;
        this.ended = new ArrayBlockingQueue<>(batch);
        this.thread = new Thread(this, name);
        consumer.setAcknowledgementCommitCallback((offsets, e) -> {
            if (e != null) {
                // typically a lock that expired while the job ran: the brokers gave it to another worker
                TROUBLE.warn("Kafka did not take acknowledgements; those jobs will be delivered again: {}", e.toString());
            }
        });
    }

    void start() {
        started = true;
        thread.start();
    }

    /**
     * Polls no more; the batch in hand still runs (or is cut off by the drain) and is acknowledged.
     * Any number of calls wake the consumer once: a wake-up interrupts whatever blocking call the
     * lane makes next, so each one more would cost the lane a try at its last acknowledgements.
     */
    void stopPolling() {
        if (polling.compareAndSet(true, false)) {
            consumer.wakeup();
        }
    }

    /** Stops the lane; one that never started closes its consumer here, as its thread would have. */
    void close() {
        if (started) {
            stopPolling();
        } else {
            consumer.close(Duration.ZERO);
        }
    }

    /** Waits for the lane to acknowledge its last batch and close its consumer. */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        return !thread.isAlive();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (polling.get()) {
                ConsumerRecords<byte[], byte[]> batch;
                try {
                    batch = consumer.poll(POLL_TIMEOUT);
                } catch (WakeupException e) {
                    break;
                } catch (KafkaException e) {
                    TROUBLE.warn("Kafka share consumer poll failed, trying again: {}", e.toString());
                    continue;
                }
                int outstanding = 0;
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    outstanding += offer(record) ? 1 : 0;
                }
                for (; outstanding > 0; outstanding--) {
                    Ended e = ended.take();
                    consumer.acknowledge(e.record, e.type);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("Kafka worker lane {} stopped: unacknowledged jobs go to other workers", thread.getName(), e);
        } finally {
            acknowledgeAndLeave();
        }
    }

    /** Hands the record's job to the executor; false when it was no job and is rejected at once. */
    private boolean offer(ConsumerRecord<byte[], byte[]> record) {
        int delivery = record.deliveryCount().map(Short::intValue).orElse(1);
        meters.consumed(delivery);
        Job job = KafkaJobCodec.decode(record.value(), ids.next(), delivery);
        if (job == null) {
            TROUBLE.warn("rejected a record that is no job ('service qual' in UTF-8): {}",
                    record.topic() + "-" + record.partition() + "@" + record.offset());
            meters.rejected();
            consumer.acknowledge(record, AcknowledgeType.REJECT);
            return false;
        }
        executor.offer(job, new Ticket(record, job));
        return true;
    }

    /** Sends the acknowledgements still owed and leaves the share group. */
    private void acknowledgeAndLeave() {
        for (int tries = 0; tries < 2; tries++) {
            try {
                consumer.commitSync(CLOSE_TIMEOUT);
                break;
            } catch (WakeupException e) {
                // the one wake-up, when it came while the lane ran a batch instead of polling: once more
            } catch (KafkaException e) {
                log.warn("last Kafka acknowledgements failed; those jobs will be delivered again: {}", e.toString());
                break;
            }
        }
        try {
            consumer.close(CLOSE_TIMEOUT);
        } catch (KafkaException e) {
            log.warn("closing the Kafka share consumer: {}", e.toString());
        }
    }

    private record Ended(ConsumerRecord<byte[], byte[]> record, AcknowledgeType type) {
    }

    /** One job's fate, from whichever thread reports it, to the lane's queue. */
    private final class Ticket implements JobTicket {
        private final ConsumerRecord<byte[], byte[]> record;
        private final Job job;

        Ticket(ConsumerRecord<byte[], byte[]> record, Job job) {
            this.record = record;
            this.job = job;
        }

        @Override
        public void admitted() {
        }

        @Override
        public void refused(Refusal why) {
            meters.released();
            ended.add(new Ended(record, AcknowledgeType.RELEASE));
        }

        @Override
        public void finished(JobOutcome outcome, long runNanos) {
            ServiceMeters service = serviceMeters.apply(job.service());
            if (service != null && outcome != JobOutcome.ABANDONED) {
                service.jobFinished(outcome, runNanos);
            }
            ended.add(new Ended(record, acknowledgement(outcome)));
        }

        private AcknowledgeType acknowledgement(JobOutcome outcome) {
            if (outcome.succeeded()) {
                return AcknowledgeType.ACCEPT;
            }
            if (outcome == JobOutcome.ABANDONED) {
                meters.released();
                return AcknowledgeType.RELEASE; // the drain cut it off: it is another worker's now
            }
            if (job.attempt() >= maxAttempts) {
                meters.rejected();
                log.warn("job failed {} times, rejected for good (--max-attempts {}): {}", job.attempt(), maxAttempts, job);
                return AcknowledgeType.REJECT;
            }
            meters.released();
            return AcknowledgeType.RELEASE;
        }
    }
}
