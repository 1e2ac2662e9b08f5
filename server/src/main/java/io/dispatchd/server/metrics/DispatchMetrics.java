package io.dispatchd.server.metrics;

import io.dispatchd.protocol.Ack;
import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.service.ServiceRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * Every meter dispatchd exports, under the Prometheus names the README documents:
 * <pre>
 *   dispatchd_requests_total{service,ack}               ack = ok | failed | bad_request | busy
 *   dispatchd_jobs_completed_total{service,outcome}     outcome = ok | failed (timeouts and drain cut-offs are failed)
 *   dispatchd_jobs_timed_out_total{service}
 *   dispatchd_job_duration_seconds{service}             histogram (_bucket, _count, _sum), see {@link JobDurationHistogram}
 *   dispatchd_jobs_queued, dispatchd_jobs_running       gauges
 *   dispatchd_connections                               gauge: open request connections
 *   dispatchd_connections_rejected_total                over --max-connections
 *   dispatchd_foreign_protocol_total{protocol}          closed for speaking HTTP, or TLS on a plaintext port
 *   dispatchd_auth_failures_total                       closed for a wrong or missing AUTH (--auth-token-file)
 *   dispatchd_backpressure_total                        times a connection went unread for a nearly full queue
 *   dispatchd_received_bytes_total, dispatchd_sent_bytes_total
 *   dispatchd_workers, dispatchd_queue_capacity         the executor's configured bounds
 *   dispatchd_journal_*, dispatchd_jobs_recovered_total with --journal, see {@link JournalMeters}
 *   dispatchd_kafka_*                                   with --kafka, see {@link KafkaMeters}
 *   jvm_*, process_*, system_*                          Micrometer's JVM and process binders
 * </pre>
 * {@code service} is a service key, {@value #UNKNOWN_SERVICE} for a well-formed key no service
 * has, or {@value #MALFORMED} for a line that does not parse: neither can be a key, so no client
 * can grow the label set. Only series that can move are exported: the two pseudo-services have
 * only {@code ack="bad_request"}, a service never has it, and {@code ack="failed"} exists in
 * complete mode only.
 */
public final class DispatchMetrics {

    public static final String UNKNOWN_SERVICE = "(unknown)";
    public static final String MALFORMED = "(malformed)";

    private final PrometheusMeterRegistry registry;
    private final Map<String, ServiceMeters> services = new HashMap<>();
    /** The same meters by {@link ServiceRegistry#indexOf}: the request path finds them without a second lookup. */
    private final ServiceMeters[] byIndex;
    private final List<JobDurationHistogram> durations = new ArrayList<>();
    private final AckCounter unknown;
    private final AckCounter malformed;
    private final Counter connectionsRejected;
    private final Counter authFailures;
    private final Counter lookedLikeHttp;
    private final Counter lookedLikeTls;
    private final Counter backpressure;
    private final Counter bytesReceived;
    private final Counter bytesSent;

    public DispatchMetrics(ServiceRegistry services, AckMode ackMode) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.byIndex = new ServiceMeters[services.keys().size()];
        for (String key : services.keys()) {
            ServiceMeters meters = newServiceMeters(key, ackMode);
            this.services.put(key, meters);
            byIndex[services.indexOf(key)] = meters;
        }
        this.unknown = badRequests(UNKNOWN_SERVICE);
        this.malformed = badRequests(MALFORMED);
        registry.getPrometheusRegistry().register(JobDurationHistogram.collector(durations));
        this.connectionsRejected = Counter.builder("dispatchd.connections.rejected")
                .description("Connections closed at once because --max-connections were open").register(registry);
        this.lookedLikeHttp = foreignProtocol("http");
        this.lookedLikeTls = foreignProtocol("tls");
        this.authFailures = Counter.builder("dispatchd.auth.failures")
                .description("Connections closed because their first line was not AUTH with a right token")
                .register(registry);
        this.backpressure = Counter.builder("dispatchd.backpressure")
                .description("Times a connection stopped being read because the job queue was nearly full (--backpressure)")
                .register(registry);
        this.bytesReceived = Counter.builder("dispatchd.received").baseUnit("bytes")
                .description("Bytes read from request connections").register(registry);
        this.bytesSent = Counter.builder("dispatchd.sent").baseUnit("bytes")
                .description("Bytes written to request connections").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private ServiceMeters newServiceMeters(String key, AckMode ackMode) {
        Counter[] answered = new Counter[Ack.values().length];
        answered[Ack.OK.ordinal()] = requests(key, Ack.OK);
        answered[Ack.BUSY.ordinal()] = requests(key, Ack.BUSY);
        if (ackMode == AckMode.COMPLETE) {
            answered[Ack.FAILED.ordinal()] = requests(key, Ack.FAILED);
        }
        Counter ok = completed(key, "ok");
        Counter failed = completed(key, "failed");
        Counter timedOut = Counter.builder("dispatchd.jobs.timed.out")
                .description("Jobs interrupted at --job-timeout (also counted failed)")
                .tag("service", key).register(registry);
        JobDurationHistogram duration = new JobDurationHistogram(key);
        durations.add(duration);
        return new ServiceMeters(answered, ok, failed, timedOut, duration);
    }

    /** Lines that reach no service: they can only be answered {@code ?}. */
    private AckCounter badRequests(String label) {
        Counter counter = requests(label, Ack.BAD_REQUEST);
        return ack -> counter.increment();
    }

    private Counter requests(String label, Ack ack) {
        return Counter.builder("dispatchd.requests")
                .description("Requests answered, by service and ack")
                .tag("service", label).tag("ack", ack.key())
                .register(registry);
    }

    private Counter completed(String label, String outcome) {
        return Counter.builder("dispatchd.jobs.completed")
                .description("Jobs finished, by service and outcome")
                .tag("service", label).tag("outcome", outcome).register(registry);
    }

    /**
     * Gauges read from the live server: the job queue and the connection count. Held strongly:
     * Micrometer keeps gauge state weakly by default, and a lambda nobody else holds would be
     * collected and read NaN.
     */
    public void bindGauges(JobAdmission admission, IntSupplier openConnections, int workers, int queueCapacity) {
        Gauge.builder("dispatchd.jobs.queued", admission, JobAdmission::queued)
                .description("Jobs admitted and waiting for a worker").strongReference(true).register(registry);
        Gauge.builder("dispatchd.jobs.running", admission, JobAdmission::running)
                .description("Jobs running on a worker").strongReference(true).register(registry);
        Gauge.builder("dispatchd.connections", openConnections, IntSupplier::getAsInt)
                .description("Open request connections").strongReference(true).register(registry);
        Gauge.builder("dispatchd.workers", () -> workers).description("Worker threads (--workers)")
                .strongReference(true).register(registry);
        Gauge.builder("dispatchd.queue.capacity", () -> queueCapacity)
                .description("Job queue bound (--queue-capacity)").strongReference(true).register(registry);
    }

    /** Registers the journal's meters (see {@link JournalMeters}). */
    public JournalMeters bindJournal() {
        AtomicLong bytes = new AtomicLong();
        Gauge.builder("dispatchd.journal", bytes, AtomicLong::get).baseUnit("bytes")
                .description("Bytes of the journal's segment files (--journal-max-bytes bounds it)")
                .strongReference(true).register(registry);
        io.micrometer.core.instrument.Timer fsync = io.micrometer.core.instrument.Timer.builder("dispatchd.journal.fsync")
                .description("Time an fsync of the journal took")
                .publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofNanos(10_000))
                .maximumExpectedValue(java.time.Duration.ofSeconds(10))
                .register(registry);
        Counter recovered = Counter.builder("dispatchd.jobs.recovered")
                .description("Jobs found admitted and not completed in the journal at start, and run again")
                .register(registry);
        Counter writeErrors = Counter.builder("dispatchd.journal.write.errors")
                .description("Journal writes and fsyncs that failed; the requests they concerned were answered !")
                .register(registry);
        return new JournalMeters(bytes, fsync, recovered, writeErrors);
    }

    /**
     * Registers a Kafka node's meters (see {@link KafkaMeters}); {@code producerBufferBytes} reads
     * the bytes of the producer's buffer in use, or is {@code null} on a worker-only node.
     */
    public KafkaMeters bindKafka(DoubleSupplier producerBufferBytes) {
        if (producerBufferBytes != null) {
            Gauge.builder("dispatchd.kafka.producer.buffer", producerBufferBytes, DoubleSupplier::getAsDouble)
                    .baseUnit("bytes").description("Bytes of the front's producer buffer in use (buffer.memory bounds it)")
                    .strongReference(true).register(registry);
        }
        io.micrometer.core.instrument.Timer produce = io.micrometer.core.instrument.Timer.builder("dispatchd.kafka.produce")
                .description("Time from handing a job to the producer to the brokers' acknowledgement")
                .publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofNanos(50_000))
                .maximumExpectedValue(java.time.Duration.ofSeconds(30))
                .register(registry);
        return new KafkaMeters(
                kafkaCounter("dispatchd.kafka.jobs.produced", "Jobs the brokers acknowledged (a front's +)"),
                kafkaCounter("dispatchd.kafka.produce.failures", "Jobs the producer could not hand to the brokers (answered !)"),
                produce,
                kafkaCounter("dispatchd.kafka.jobs.consumed", "Jobs this worker took from the topic, redeliveries included"),
                kafkaCounter("dispatchd.kafka.redeliveries", "Jobs taken from the topic again after a failure or a dead worker"),
                kafkaCounter("dispatchd.kafka.jobs.released", "Jobs given back to the share group for another try or worker"),
                kafkaCounter("dispatchd.kafka.jobs.rejected", "Jobs dropped: failed --max-attempts times, or unreadable"));
    }

    private Counter kafkaCounter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    /** The meters of the service at this {@link ServiceRegistry#indexOf index}. */
    public ServiceMeters service(int index) {
        return byIndex[index];
    }

    /** The meters of the service with this lower-case key; {@code null} for a key no service has. */
    public ServiceMeters service(String key) {
        return services.get(key);
    }

    /** Counts lines for a well-formed key no service has. */
    public AckCounter unknownService() {
        return unknown;
    }

    /** Counts lines that do not parse. */
    public AckCounter malformed() {
        return malformed;
    }

    /** A connection closed at once because it spoke HTTP. */
    public void lookedLikeHttp() {
        lookedLikeHttp.increment();
    }

    /** A connection closed at once because it began a TLS handshake on a plaintext port. */
    public void lookedLikeTls() {
        lookedLikeTls.increment();
    }

    private Counter foreignProtocol(String protocol) {
        return Counter.builder("dispatchd.foreign.protocol")
                .description("Connections closed at once for speaking another protocol (HTTP, or TLS on a plaintext port)")
                .tag("protocol", protocol).register(registry);
    }

    /** A connection whose first line was not {@code AUTH} with a right token. */
    public void authFailed() {
        authFailures.increment();
    }

    public void connectionRejected() {
        connectionsRejected.increment();
    }

    public void backpressure() {
        backpressure.increment();
    }

    public void bytesReceived(int n) {
        bytesReceived.increment(n);
    }

    public void bytesSent(int n) {
        bytesSent.increment(n);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
