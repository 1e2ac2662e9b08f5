package io.dispatchd.server.kafka;

import io.dispatchd.server.config.KafkaOptions;
import io.dispatchd.server.executor.BoundedJobExecutor;
import io.dispatchd.server.executor.DrainReport;
import io.dispatchd.server.executor.Job;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.executor.JobIds;
import io.dispatchd.server.executor.JobTicket;
import io.dispatchd.server.executor.Refusal;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.metrics.KafkaMeters;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link JobAdmission} of a node on Kafka ({@code --kafka}). A front's offers become records on
 * the topic ({@link KafkaFront}); a worker's {@link WorkerLane}s take jobs from the topic as a share
 * group and run them on this node's {@link BoundedJobExecutor}; {@code --role both} does both, and
 * a job produced here may run on any worker. Kafka is the durable store: a {@code +} means the
 * brokers have the job, and a job leaves the topic only when a worker acknowledges it.
 *
 * <p>A front's tickets hear {@code admitted} or {@code refused}, never {@code finished}: the job
 * runs wherever a worker takes it, which is why {@code --ack complete} is refused with
 * {@code --kafka}.
 */
public final class KafkaAdmission implements JobAdmission {

    private static final Logger log = LoggerFactory.getLogger(KafkaAdmission.class);
    /**
     * Share consumers per worker node. One must acknowledge its whole batch before it polls again,
     * so with one the workers would idle at the tail of every batch; with two, one lane's batch
     * runs while the other's ends.
     */
    static final int LANES = 2;
    /** A lane's batch at least: with jobs of microseconds, a poll's round trip must bring many. */
    static final int MIN_BATCH = 500;

    private final KafkaOptions options;
    private final Admin admin;
    private final BrokerHealth health;
    private final KafkaFront front;
    private final BoundedJobExecutor executor;
    private final List<WorkerLane> lanes = new ArrayList<>();

    /**
     * @param executor runs the jobs a worker takes; {@code null} on a front-only node
     * @param room     jobs the executor can hold at once: {@code --max-running} plus its queue capacity
     * @param workers  the executor's worker threads
     */
    public KafkaAdmission(KafkaOptions options, BoundedJobExecutor executor, int workers, int room,
                          JobIds ids, DispatchMetrics metrics) {
        this.options = options;
        this.executor = executor;
        this.admin = Admin.create(KafkaClients.admin(options));
        this.health = new BrokerHealth(admin, options.bootstrap());
        Producer<byte[], byte[]> producer =
                options.role().produces() ? new KafkaProducer<>(KafkaClients.producer(options)) : null;
        KafkaMeters meters = metrics.bindKafka(producer == null ? null : () -> KafkaFront.bufferInUse(producer));
        this.front = producer == null ? null : new KafkaFront(producer, options.topic(), meters, health);
        if (options.role().consumes()) {
            int batch = batchSize(workers, room);
            for (int i = 0; i < LANES; i++) {
                KafkaShareConsumer<byte[], byte[]> consumer =
                        new KafkaShareConsumer<>(KafkaClients.shareConsumer(options, i, batch));
                lanes.add(new WorkerLane(consumer, options.topic(), batch, executor, ids, options.maxAttempts(),
                        meters, metrics::service, "dispatchd-kafka-lane-" + i));
            }
        }
    }

    /**
     * A lane's batch: a worker's threads' worth (at least {@link #MIN_BATCH}), so that a batch ends
     * about one job's time after it starts and a lock (30 s by default) covers it with room to
     * spare; never more than the executor holds, so no offer is refused for want of room.
     */
    static int batchSize(int workers, int room) {
        return Math.max(1, Math.min(Math.max(workers, MIN_BATCH), room / LANES));
    }

    @Override
    public void start() {
        try {
            KafkaClients.prepare(admin, options);
            health.start();
            if (front != null) {
                front.start();
            }
            if (executor != null) {
                executor.start();
            }
            lanes.forEach(WorkerLane::start);
        } catch (RuntimeException e) {
            close();
            throw e instanceof IllegalStateException ? e : new IllegalStateException(e.getMessage(), e);
        }
        log.info("on Kafka at {}: {}", options.bootstrap(), describeRole());
    }

    private String describeRole() {
        List<String> parts = new ArrayList<>();
        if (front != null) {
            parts.add("producing jobs to topic " + options.topic());
        }
        if (!lanes.isEmpty()) {
            parts.add("consuming topic " + options.topic() + " as share group " + options.group() + " with "
                    + lanes.size() + " lanes");
        }
        return String.join(", ", parts);
    }

    @Override
    public void offer(Job job, JobTicket ticket) {
        if (front == null) {
            ticket.refused(Refusal.DRAINING); // a worker-only node opens no request port: unreachable
            return;
        }
        front.offer(job, ticket);
    }

    @Override
    public String unhealthy() {
        return health.unhealthy();
    }

    @Override
    public int queued() {
        return executor == null ? 0 : executor.queued();
    }

    @Override
    public int running() {
        return executor == null ? 0 : executor.running();
    }

    @Override
    public void stopAdmitting() {
        if (front != null) {
            front.stopAdmitting();
        }
        lanes.forEach(WorkerLane::stopPolling);
    }

    /**
     * Lets the brokers answer every job produced and the jobs in hand finish, up to the deadline;
     * jobs cut off then are released to the share group, for the other workers.
     */
    @Override
    public DrainReport drain(Duration deadline) throws InterruptedException {
        long start = System.nanoTime();
        stopAdmitting();
        if (front != null) {
            front.finish(deadline);
        }
        DrainReport report = DrainReport.none();
        if (executor != null) {
            Duration left = deadline.minusNanos(System.nanoTime() - start);
            report = executor.drain(left.isNegative() ? Duration.ZERO : left);
        }
        for (WorkerLane lane : lanes) {
            if (!lane.awaitStopped(Duration.ofSeconds(10))) {
                log.warn("a Kafka worker lane did not stop; its unacknowledged jobs go to other workers");
            }
        }
        return new DrainReport(report.cutOff(), "released to the share group for another worker");
    }

    @Override
    public void close() {
        lanes.forEach(WorkerLane::close);
        if (front != null) {
            front.close();
        }
        if (executor != null) {
            executor.close();
        }
        health.close();
        admin.close(Duration.ofSeconds(5));
    }
}
