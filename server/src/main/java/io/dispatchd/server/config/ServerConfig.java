package io.dispatchd.server.config;

import io.dispatchd.protocol.Durations;

import io.dispatchd.protocol.ProtocolLimits;
import io.dispatchd.server.executor.WorkerThreads;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Everything the server is told at startup, validated once here. Built from flags by
 * {@link #fromArgs}, which tests use too, so a test configures the server exactly as a user does.
 *
 * @param bind              address the server and the admin endpoint listen on
 * @param port              request port; 0 picks a free one
 * @param adminPort         admin HTTP port; 0 picks a free one; {@link #ADMIN_OFF} turns it off
 * @param ackMode           when acks are written
 * @param workers           worker threads that run service code
 * @param workerThreads     platform or virtual threads for the workers
 * @param maxRunning        jobs in progress at most, holding a worker or waiting without one; at least {@code workers}
 * @param queueCapacity     admitted jobs waiting for a worker, at most
 * @param backpressure      while the queue is nearly full, how long a connection that adds to it
 *                          goes unread before its requests are answered {@code !}; zero: never unread
 * @param maxLineBytes      longest request line, LF/CRLF excluded
 * @param maxConnections    open request connections, at most
 * @param maxInFlight       acks one connection may owe before the server stops reading from it
 * @param idleTimeout       close a connection this long without traffic and with nothing owed; zero: never
 * @param jobTimeout        interrupt a job running longer and count it failed; zero: never
 * @param drainTimeout      on SIGTERM, how long admitted jobs get to finish
 * @param engineIterations  tokens the built-in engine emits per job
 * @param enginePause       pause between two tokens
 * @param ioThreads         Netty event loop threads, which accept connections and serve them
 * @param transport         Netty I/O transport for the sockets
 * @param journal           directory of the job journal; {@code null}: jobs live in memory only
 * @param fsync             when journal records reach stable storage
 * @param journalMaxBytes   past this many journal bytes on disk, new requests get {@code !}
 * @param kafka             how the node runs on a Kafka topic; {@code null}: on the in-process queue
 * @param adminBind         address the admin endpoint listens on
 * @param security          TLS, tokens and protected mode
 */
public record ServerConfig(
        String bind,
        int port,
        int adminPort,
        AckMode ackMode,
        int workers,
        WorkerThreads workerThreads,
        int maxRunning,
        int queueCapacity,
        Duration backpressure,
        int maxLineBytes,
        int maxConnections,
        int maxInFlight,
        Duration idleTimeout,
        Duration jobTimeout,
        Duration drainTimeout,
        int engineIterations,
        Duration enginePause,
        int ioThreads,
        TransportChoice transport,
        Path journal,
        FsyncPolicy fsync,
        long journalMaxBytes,
        KafkaOptions kafka,
        String adminBind,
        SecurityOptions security) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;
    public static final int DEFAULT_ADMIN_PORT = 7071;
    public static final int ADMIN_OFF = -1;
    /** Jobs mostly sleep between tokens, so far more workers than cores pay off. */
    public static final int DEFAULT_WORKERS = 64;
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    /**
     * The built-in engine's job waits 50 ms without a thread; 4096 of them in progress are 80 000
     * jobs a second, past what two cores feed, in a few MB of heap.
     */
    public static final int DEFAULT_MAX_RUNNING = 4096;
    /**
     * Long enough to ride out a burst or a scheduler hiccup that starves the workers for a few
     * milliseconds (on the test machine a worker descheduled for ~10 ms let 10 000 jobs pile up),
     * short enough that a client of a queue that is stuck full hears {@code !} quickly.
     */
    public static final String DEFAULT_BACKPRESSURE = "50ms";
    public static final int DEFAULT_MAX_LINE_BYTES = ProtocolLimits.DEFAULT_MAX_LINE_BYTES;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    public static final String DEFAULT_IDLE_TIMEOUT = "300s";
    public static final String DEFAULT_JOB_TIMEOUT = "none";
    public static final String DEFAULT_DRAIN_TIMEOUT = "30s";
    public static final int DEFAULT_ENGINE_ITERATIONS = 500;
    public static final String DEFAULT_ENGINE_PAUSE = "100us";
    public static final String DEFAULT_FSYNC = "everysec";
    public static final String DEFAULT_JOURNAL_MAX_BYTES = "1GiB";
    /** Room for a few segments, so a journal this small still works (see JournalSettings). */
    public static final long MIN_JOURNAL_MAX_BYTES = 1 << 20;
    /**
     * Half the cores: the workers, the JIT and the collector need the others. With io_uring one
     * event loop batches the system calls of all its connections, so fewer loops with more
     * connections each cost less; on the 2-core test machine one loop served 50 unpipelined
     * connections ~50% faster than two, with a p99 at 100 000 requests a second of 2–6 ms
     * instead of 7–21 ms.
     */
    public static final int DEFAULT_IO_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    public ServerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(ackMode, "ackMode");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(workerThreads, "workerThreads");
        if (workerThreads == WorkerThreads.VIRTUAL && !WorkerThreads.virtualAvailable()) {
            throw new IllegalArgumentException("--worker-threads virtual needs Java 21 or newer; this is Java "
                    + Runtime.version().feature());
        }
        Objects.requireNonNull(adminBind, "adminBind");
        Objects.requireNonNull(security, "security");
        if (journalMaxBytes < MIN_JOURNAL_MAX_BYTES) {
            throw new IllegalArgumentException("--journal-max-bytes must be at least 1MiB, not "
                    + ByteSizes.format(journalMaxBytes));
        }
        requireRange("--port", port, 0, 65_535);
        if (adminPort != ADMIN_OFF) {
            requireRange("--admin-port", adminPort, 0, 65_535);
        }
        requireRange("--workers", workers, 1, 10_000);
        requireRange("--queue-capacity", queueCapacity, 1, 10_000_000);
        requireRange("--max-running", maxRunning, 1, 1_000_000);
        maxRunning = Math.max(maxRunning, workers);
        requireRange("--max-line", maxLineBytes, 16, 1 << 20);
        requireRange("--max-connections", maxConnections, 1, 1_000_000);
        requireRange("--max-in-flight", maxInFlight, 1, 1 << 20);
        requireRange("--engine-iterations", engineIterations, 0, 100_000_000);
        requireRange("--io-threads", ioThreads, 1, 1024);
        requireNotNegative("--backpressure", backpressure);
        requireNotNegative("--idle-timeout", idleTimeout);
        requireNotNegative("--job-timeout", jobTimeout);
        requireNotNegative("--drain-timeout", drainTimeout);
        requireNotNegative("--engine-pause", enginePause);
        if (kafka != null && journal != null) {
            throw new IllegalArgumentException("--kafka and --journal exclude each other: with --kafka the topic keeps"
                    + " every acked job");
        }
        if (kafka != null && ackMode == AckMode.COMPLETE) {
            throw new IllegalArgumentException("--ack complete does not work with --kafka: the job runs on whichever"
                    + " worker takes it from the topic, which has no way back to the connection that sent it;"
                    + " use --ack accept (the default)");
        }
        if (kafka == null || kafka.role().produces()) { // servesRequests(), which cannot run before the fields are set
            security.checkProtectedMode(bind);
        }
        if (port != 0 && port == adminPort) {
            throw new IllegalArgumentException("--port and --admin-port must differ (both " + port + ")");
        }
    }

    /**
     * The configuration these flags describe, with this process's environment and any
     * {@code --config} file supplying defaults; throws {@link IllegalArgumentException} naming a bad flag.
     */
    public static ServerConfig fromArgs(String... args) {
        return fromArgs(System.getenv(), args);
    }

    /** As {@link #fromArgs(String...)}, with the environment given (tests need not touch the real one). */
    public static ServerConfig fromArgs(Map<String, String> environment, String... args) {
        return ServerCommand.parse(environment, args).toConfig();
    }

    /**
     * Every setting in flag spelling, in the startup line's order: the one account of the
     * configuration that the log ({@link #describe}) and the dashboard both show.
     */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bind", bind);
        s.put("port", String.valueOf(port));
        s.put("admin-bind", adminBind);
        s.put("admin-port", adminEnabled() ? String.valueOf(adminPort) : "off");
        s.put("ack", ackMode.name().toLowerCase(Locale.ROOT));
        s.put("workers", String.valueOf(workers));
        s.put("worker-threads", workerThreads.name().toLowerCase(Locale.ROOT));
        s.put("max-running", String.valueOf(maxRunning));
        s.put("queue-capacity", String.valueOf(queueCapacity));
        s.put("backpressure", Durations.format(backpressure));
        s.put("max-line", String.valueOf(maxLineBytes));
        s.put("max-connections", String.valueOf(maxConnections));
        s.put("max-in-flight", String.valueOf(maxInFlight));
        s.put("idle-timeout", Durations.format(idleTimeout));
        s.put("job-timeout", jobTimeout.isZero() ? "none" : Durations.format(jobTimeout));
        s.put("drain-timeout", Durations.format(drainTimeout));
        s.put("engine-iterations", String.valueOf(engineIterations));
        s.put("engine-pause", Durations.format(enginePause));
        s.put("io-threads", String.valueOf(ioThreads));
        s.put("transport", transport.flagValue());
        s.put("journal", journalEnabled() ? journal.toString() : "off");
        if (journalEnabled()) {
            s.put("fsync", fsync.name().toLowerCase(Locale.ROOT));
            s.put("journal-max-bytes", ByteSizes.format(journalMaxBytes));
        }
        if (kafkaEnabled()) {
            s.putAll(kafka.settings());
        }
        s.putAll(security.settings());
        return s;
    }

    /** The configuration in flag spelling, for the startup log: {@code port=7070 admin-port=7071 …}. */
    public String describe() {
        StringJoiner line = new StringJoiner(" ");
        settings().forEach((flag, value) -> line.add(flag + "=" + value));
        return line.toString();
    }

    public boolean journalEnabled() {
        return journal != null;
    }

    public boolean kafkaEnabled() {
        return kafka != null;
    }

    /** Whether this node takes requests on a port: all but a Kafka worker-only node. */
    public boolean servesRequests() {
        return kafka == null || kafka.role().produces();
    }

    public boolean adminEnabled() {
        return adminPort != ADMIN_OFF;
    }

    private static void requireRange(String flag, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ", not " + value);
        }
    }

    private static void requireNotNegative(String flag, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(flag + " must be a duration of zero or more");
        }
    }
}
