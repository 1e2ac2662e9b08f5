package io.dispatchd.server.config;

import io.dispatchd.protocol.DurationConverter;
import io.dispatchd.protocol.ProtocolLimits;
import io.dispatchd.server.executor.WorkerThreads;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * The command line: every flag, its default and its help text in one place. picocli does the
 * parsing and the {@code --help} page; {@link ServerConfig} does the validation.
 */
@Command(name = "dispatchd",
        mixinStandardHelpOptions = true,
        versionProvider = ServerCommand.Version.class,
        sortOptions = false,
        usageHelpWidth = 100,
        description = "A fire-and-forget request server: one line 'WHICH QUAL' in, one ack byte out.%n",
        footer = {"%nDurations take a unit: 250us, 5ms, 30s, 5m. Acks: + ok, - failed, ? bad request, ! busy."})
public final class ServerCommand {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file of defaults, keys spelled as the flags (admin-port=7071). "
                    + "Precedence: flag > environment (DISPATCHD_ADMIN_PORT) > file > built-in default.")
    Path configFile;

    @Option(names = "--bind", paramLabel = "HOST", defaultValue = ServerConfig.DEFAULT_BIND,
            description = "Address to listen on for requests (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--admin-bind", paramLabel = "HOST", defaultValue = ServerConfig.DEFAULT_BIND,
            description = "Address the admin endpoint listens on, whatever --bind is (default: ${DEFAULT-VALUE}).")
    String adminBind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "Request port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--admin-port", paramLabel = "PORT|off", defaultValue = "" + ServerConfig.DEFAULT_ADMIN_PORT,
            converter = AdminPortConverter.class,
            description = "Admin HTTP port (/metrics, /health); 0 picks a free one; 'off' disables it (default: "
                    + "${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--ack", paramLabel = "accept|complete", defaultValue = "accept",
            description = "accept: ack when the job is queued; complete: ack when it has run (default: ${DEFAULT-VALUE}).")
    AckMode ackMode;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_WORKERS,
            description = "Worker threads running jobs (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--worker-threads", paramLabel = "platform|virtual", defaultValue = "platform",
            description = "What the workers run on: platform threads, or virtual threads (Java 21 and newer), for"
                    + " synchronous services that block (default: ${DEFAULT-VALUE}).")
    WorkerThreads workerThreads;

    @Option(names = "--max-running", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_RUNNING,
            description = "Jobs in progress at most, on a worker or waiting without one (an asynchronous service,"
                    + " the built-in engine's pauses); never fewer than --workers (default: ${DEFAULT-VALUE}).")
    int maxRunning;

    @Option(names = "--queue-capacity", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_QUEUE_CAPACITY,
            description = "Jobs waiting for a worker, at most; beyond it requests get '!' (default: ${DEFAULT-VALUE}).")
    int queueCapacity;

    @Option(names = "--backpressure", paramLabel = "DURATION", defaultValue = ServerConfig.DEFAULT_BACKPRESSURE,
            converter = DurationConverter.class,
            description = "While the queue is over 3/4 full, stop reading from a connection that adds to it"
                    + " until it is half empty, for at most this long; then '!' as usual. 0 = '!' at once (default: "
                    + "${DEFAULT-VALUE}).")
    Duration backpressure;

    @Option(names = "--max-line", paramLabel = "BYTES", defaultValue = "" + ServerConfig.DEFAULT_MAX_LINE_BYTES,
            description = "Longest request line, LF excluded; longer lines get '?' (default: ${DEFAULT-VALUE}).")
    int maxLineBytes;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_CONNECTIONS,
            description = "Open connections, at most; one more gets '!' and is closed (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_IN_FLIGHT,
            description = "Acks one connection may owe before the server stops reading from it (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = ServerConfig.DEFAULT_IDLE_TIMEOUT,
            converter = DurationConverter.class,
            description = "Close a connection idle this long with no ack owed; 0 = never (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--job-timeout", paramLabel = "DURATION", defaultValue = ServerConfig.DEFAULT_JOB_TIMEOUT,
            converter = DurationConverter.class,
            description = "Interrupt a job running longer and count it failed; none = never (default: ${DEFAULT-VALUE}).")
    Duration jobTimeout;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = ServerConfig.DEFAULT_DRAIN_TIMEOUT,
            converter = DurationConverter.class,
            description = "On SIGTERM/SIGINT, how long admitted jobs get to finish (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--engine-iterations", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_ENGINE_ITERATIONS,
            description = "Tokens the built-in engine emits per job (default: ${DEFAULT-VALUE}).")
    int engineIterations;

    @Option(names = "--engine-pause", paramLabel = "DURATION", defaultValue = ServerConfig.DEFAULT_ENGINE_PAUSE,
            converter = DurationConverter.class,
            description = "Pause between two engine tokens (default: ${DEFAULT-VALUE}).")
    Duration enginePause;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "Event loop threads, which accept connections and serve them (default: ${DEFAULT-VALUE}, half "
                    + "the cores).")
    int ioThreads = ServerConfig.DEFAULT_IO_THREADS;

    @Option(names = "--transport", paramLabel = "auto|io_uring|epoll|nio", defaultValue = "auto",
            description = "Socket I/O: auto takes the first of io_uring, epoll, nio whose event loops start here "
                    + "(default: ${DEFAULT-VALUE}).")
    TransportChoice transport;

    @Option(names = "--journal", paramLabel = "DIR",
            description = "Keep every admitted job in an append-only journal in DIR, so that an acked job survives"
                    + " a crash and runs at the next start; off by default (jobs live in memory).")
    Path journal;

    @Option(names = "--fsync", paramLabel = "always|everysec|no", defaultValue = ServerConfig.DEFAULT_FSYNC,
            description = "With --journal: fsync before the acks of each event-loop pass (always), about once a"
                    + " second (everysec), or never (no) (default: ${DEFAULT-VALUE}).")
    FsyncPolicy fsync;

    @Option(names = "--journal-max-bytes", paramLabel = "SIZE", defaultValue = ServerConfig.DEFAULT_JOURNAL_MAX_BYTES,
            converter = SizeConverter.class,
            description = "Journal bytes on disk, at most; past it requests get '!'. Bytes or KiB, MiB, GiB"
                    + " (default: ${DEFAULT-VALUE}).")
    long journalMaxBytes;

    @Option(names = "--tls-cert-file", paramLabel = "FILE",
            description = "PEM certificate chain: the request port speaks TLS 1.2/1.3 only, the admin port HTTPS;"
                    + " off by default. Reloaded on SIGHUP.")
    Path tlsCertFile;

    @Option(names = "--tls-key-file", paramLabel = "FILE",
            description = "PEM private key (PKCS#8) of --tls-cert-file.")
    Path tlsKeyFile;

    @Option(names = "--tls-ca-file", paramLabel = "FILE",
            description = "PEM CA certificates: clients must present a certificate they signed (mutual TLS).")
    Path tlsCaFile;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
            description = "Tokens, one a line: a connection's first line must be 'AUTH token' (else '?' and"
                    + " close). Reloaded on SIGHUP.")
    Path authTokenFile;

    @Option(names = "--protected-mode", paramLabel = "on|off", defaultValue = "on",
            description = "Refuse to listen beyond loopback with neither --auth-token-file nor --tls-ca-file"
                    + " (default: ${DEFAULT-VALUE}).")
    OnOff protectedMode;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "Bearer tokens, one a line: every admin path but /health then needs"
                    + " 'Authorization: Bearer TOKEN' (else 401). Reloaded on SIGHUP.")
    Path adminTokenFile;

    @Option(names = "--kafka", paramLabel = "BOOTSTRAP",
            description = "Run on an Apache Kafka topic instead of the in-process queue, starting from these brokers"
                    + " (host:9092,host2:9092); off by default. Not with --journal: Kafka is the durable store.")
    String kafka;

    @Option(names = "--role", paramLabel = "front|worker|both", defaultValue = KafkaOptions.DEFAULT_ROLE,
            description = "With --kafka: front takes requests and produces jobs, worker consumes and runs them (and"
                    + " opens no request port), both does both (default: ${DEFAULT-VALUE}).")
    KafkaRole role;

    @Option(names = "--kafka-topic", paramLabel = "TOPIC", defaultValue = KafkaOptions.DEFAULT_TOPIC,
            description = "With --kafka: the topic jobs go through (default: ${DEFAULT-VALUE}).")
    String kafkaTopic;

    @Option(names = "--kafka-group", paramLabel = "GROUP", defaultValue = KafkaOptions.DEFAULT_GROUP,
            description = "With --kafka: the share group workers consume as (default: ${DEFAULT-VALUE}).")
    String kafkaGroup;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "With --kafka: Kafka client properties passed through to the producer, the consumers and"
                    + " the admin client (SASL, TLS to the brokers, timeouts); they win over dispatchd's own.")
    Path kafkaConfig;

    @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "" + KafkaOptions.DEFAULT_MAX_ATTEMPTS,
            description = "With --kafka: deliveries of a job that fails before it is rejected for good"
                    + " (default: ${DEFAULT-VALUE}).")
    int maxAttempts;

    /**
     * A picocli command line for these arguments, whose defaults come from the environment and
     * from the {@code --config} file (or {@code DISPATCHD_CONFIG}) before the built-in ones.
     *
     * @throws IllegalArgumentException if the config file cannot be read or names an unknown key
     */
    public static CommandLine commandLine(String[] args, Map<String, String> environment) {
        CommandLine cl = new CommandLine(new ServerCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpLongOptionsMaxWidth(28);
        Properties file = ConfigFile.load(ConfigFile.locate(args, environment), cl.getCommandSpec());
        cl.setDefaultValueProvider(new ConfigDefaults(environment, file));
        return cl;
    }

    /** Parses flags; picocli's exceptions become {@link IllegalArgumentException}s with picocli's message. */
    static ServerCommand parse(Map<String, String> environment, String... args) {
        CommandLine cl = commandLine(args, environment);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return cl.getCommand();
    }

    /** The validated configuration; throws {@link IllegalArgumentException} naming a bad value. */
    public ServerConfig toConfig() {
        return new ServerConfig(bind, port, adminPort, ackMode, workers, workerThreads, maxRunning, queueCapacity,
                backpressure, maxLineBytes,
                maxConnections, maxInFlight, idleTimeout, jobTimeout, drainTimeout,
                engineIterations, enginePause, ioThreads, transport, journal, fsync, journalMaxBytes, kafkaOptions(), adminBind,
                new SecurityOptions(tlsCertFile, tlsKeyFile, tlsCaFile, authTokenFile, protectedMode == OnOff.ON,
                        adminTokenFile));
    }

    private KafkaOptions kafkaOptions() {
        if (kafka == null) {
            return null;
        }
        return new KafkaOptions(kafka, role, kafkaTopic, kafkaGroup, KafkaOptions.readClientConfig(kafkaConfig),
                maxAttempts);
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return ByteSizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code on} or {@code off}, in any case. */
    enum OnOff { ON, OFF }

    static final class AdminPortConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            if (value.equalsIgnoreCase("off")) {
                return ServerConfig.ADMIN_OFF;
            }
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a port number or 'off'");
            }
        }
    }

    /** {@code --version}: the project version baked into the jar at build time. */
    public static final class Version implements CommandLine.IVersionProvider {
        public static String current() {
            Properties p = new Properties();
            try (InputStream in = ServerCommand.class.getResourceAsStream("/io/dispatchd/server/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through to "unknown": a missing version must not stop the server
            }
            return p.getProperty("version", "unknown");
        }

        @Override
        public String[] getVersion() {
            return new String[] {
                "dispatchd " + current() + " (protocol v" + ProtocolLimits.PROTOCOL_VERSION + ")",
                "JVM: ${java.version} (${java.vendor} ${java.vm.name} ${java.vm.version})",
            };
        }
    }
}
