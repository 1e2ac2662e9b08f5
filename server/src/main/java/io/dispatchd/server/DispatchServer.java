package io.dispatchd.server;

import io.dispatchd.protocol.Durations;
import io.dispatchd.server.config.ServerConfig;
import io.dispatchd.server.dispatch.Dispatcher;
import io.dispatchd.server.dispatch.ServerStopping;
import io.dispatchd.server.admin.AdminServerInitializer;
import io.dispatchd.server.admin.Dashboard;
import io.dispatchd.server.admin.DashboardStats;
import io.dispatchd.server.config.ServerCommand;
import io.dispatchd.server.executor.BoundedJobExecutor;
import io.dispatchd.server.executor.DrainReport;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.executor.JobIds;
import io.dispatchd.server.journal.JournalSettings;
import io.dispatchd.server.journal.JournaledAdmission;
import io.dispatchd.server.kafka.KafkaAdmission;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.pipeline.ConnectionLimit;
import io.dispatchd.server.pipeline.DispatchServerInitializer;
import io.dispatchd.server.security.ServerSecurity;
import io.dispatchd.server.service.Engine;
import io.dispatchd.server.service.ServiceContext;
import io.dispatchd.server.service.ServiceRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A running dispatchd: bound, serving, and able to shut down gracefully.
 *
 * <pre>
 *   try (DispatchServer server = DispatchServer.start(ServerConfig.fromArgs("--port", "0"))) {
 *       InetSocketAddress address = server.address();
 *   }
 * </pre>
 *
 * Shutdown order ({@link #shutdownAsync}, idempotent; {@link #close} waits for it): stop
 * accepting → refuse new work with {@code !} → let admitted jobs finish until
 * {@code --drain-timeout}, then cut off the rest with a log line each → write every owed ack and
 * close each connection ({@link ServerStopping}) → close the admission and the engine → stop the
 * event loops.
 */
public final class DispatchServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DispatchServer.class);

    /** The settings the dashboard shows: the ones that bound what the server takes and runs. */
    private static final List<String> DASHBOARD_SETTINGS = List.of("ack", "workers", "max-running", "queue-capacity",
            "max-connections", "max-in-flight", "job-timeout", "drain-timeout", "tls", "auth");

    /** After the drain, how long connections get to take their last acks before they are cut. */
    private static final Duration ACK_FLUSH_GRACE = Duration.ofSeconds(5);

    /** Once every connection is closed, how long the event loops get to finish before the server stops without them. */
    private static final Duration EVENT_LOOPS_EXIT = Duration.ofSeconds(5);

    private final ServerConfig config;
    private final EventLoopGroup eventLoops;
    private final JobAdmission admission;
    private final Engine engine;
    private final ChannelGroup openChannels;
    private final ConnectionLimit connections;
    private final Channel serverChannel;
    private final Channel adminChannel;
    private final ChannelGroup adminConnections;
    private final DispatchMetrics metrics;
    private final AtomicBoolean shuttingDown;
    private final ServerSecurity security;
    private final Dashboard dashboard;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private DispatchServer(ServerConfig config, EventLoopGroup eventLoops,
                           JobAdmission admission, Engine engine, ChannelGroup openChannels,
                           ConnectionLimit connections, Channel serverChannel, Channel adminChannel,
                           ChannelGroup adminConnections, DispatchMetrics metrics, AtomicBoolean shuttingDown,
                           ServerSecurity security, Dashboard dashboard) {
        this.security = security;
        this.dashboard = dashboard;
        this.config = config;
        this.eventLoops = eventLoops;
        this.admission = admission;
        this.engine = engine;
        this.openChannels = openChannels;
        this.connections = connections;
        this.serverChannel = serverChannel;
        this.adminChannel = adminChannel;
        this.adminConnections = adminConnections;
        this.metrics = metrics;
        this.shuttingDown = shuttingDown;
    }

    /** Binds and starts serving; returns once the request port (and the admin port, if on) is open. */
    public static DispatchServer start(ServerConfig config) throws StartupException {
        ServiceRegistry services;
        try {
            services = ServiceRegistry.load(DispatchServer.class.getClassLoader());
        } catch (IllegalStateException | java.util.ServiceConfigurationError e) {
            throw new StartupException(e.getMessage(), e);
        }
        log.info("configuration: {}", config.describe());
        DispatchMetrics metrics = new DispatchMetrics(services, config.ackMode());
        Engine engine = new Engine(config.engineIterations(), config.enginePause());
        ServiceContext context = () -> engine;
        JobIds jobIds = new JobIds();
        ServerSecurity security;
        try {
            security = ServerSecurity.load(config.security());
        } catch (IllegalStateException e) {
            engine.close();
            throw new StartupException(e.getMessage(), e);
        }
        JobAdmission admission = newAdmission(config, services, context, jobIds, metrics);
        try {
            admission.start();
        } catch (IllegalStateException e) {
            admission.close();
            engine.close();
            throw new StartupException(e.getMessage(), e);
        }
        Transport transport;
        try {
            transport = Transport.start(config.transport(), config.ioThreads());
        } catch (StartupException e) {
            admission.close();
            engine.close();
            throw e;
        }
        EventLoopGroup eventLoops = transport.eventLoops();
        ConnectionLimit connections = new ConnectionLimit(config.maxConnections());
        metrics.bindGauges(admission, connections::open, config.workers(), config.queueCapacity());
        Dispatcher dispatcher = new Dispatcher(services, metrics, jobIds, admission, config.ackMode(),
                config.maxInFlight(), config.backpressure());
        AtomicBoolean shuttingDown = new AtomicBoolean();

        ChannelGroup openChannels = new DefaultChannelGroup("dispatchd-connections", GlobalEventExecutor.INSTANCE);
        ChannelGroup adminConnections = new DefaultChannelGroup("dispatchd-admin-connections", GlobalEventExecutor.INSTANCE);

        ServerBootstrap requests = new ServerBootstrap()
                .group(eventLoops)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // a client that sends its lines and shuts down its side (nc -N, shutdownOutput)
                // still gets every ack it is owed: see DispatchHandler's input-shutdown handling
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new DispatchServerInitializer(config, dispatcher, connections, openChannels, security));
        transport.configureConnections(requests);
        Dashboard dashboard = new Dashboard(new DashboardStats(metrics, services.keys(),
                dashboardFacts(config, admission, shuttingDown, metrics)));
        Channel serverChannel = null;
        Channel adminChannel = null;
        try {
            if (config.servesRequests()) {
                serverChannel = bind(requests, config.bind(), config.port());
            }
            if (config.adminEnabled()) {
                ServerBootstrap admin = new ServerBootstrap()
                        .group(eventLoops)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childHandler(new AdminServerInitializer(adminConnections, metrics::scrape,
                                () -> shuttingDown.get() ? "draining" : admission.unhealthy(),
                                security.tls(), security.adminTokens(), dashboard));
                adminChannel = bind(admin, config.adminBind(), config.adminPort());
            }
        } catch (StartupException e) {
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
            }
            eventLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            admission.close();
            engine.close();
            throw e;
        }
        if (adminChannel != null) {
            dashboard.start();
        }
        log.info("serving {} on {}", services.keys(), transport.kind().flagValue());
        return new DispatchServer(config, eventLoops, admission, engine, openChannels, connections,
                serverChannel, adminChannel, adminConnections, metrics, shuttingDown, security, dashboard);
    }

    /** Memory only, a journal in front of the executor with {@code --journal}, or a Kafka topic with {@code --kafka}. */
    private static JobAdmission newAdmission(ServerConfig config, ServiceRegistry services, ServiceContext context,
                                             JobIds jobIds, DispatchMetrics metrics) {
        boolean runsJobs = !config.kafkaEnabled() || config.kafka().role().consumes();
        int room = config.maxRunning() + config.queueCapacity(); // jobs in progress plus jobs queued
        BoundedJobExecutor executor = !runsJobs ? null
                : new BoundedJobExecutor(config.workers(), config.workerThreads(), config.maxRunning(),
                        config.queueCapacity(), config.jobTimeout(), services, context); // a Kafka front runs none
        if (config.kafkaEnabled()) {
            return new KafkaAdmission(config.kafka(), executor, config.workers(), room, jobIds, metrics);
        }
        if (!config.journalEnabled()) {
            return executor;
        }
        JournalSettings settings = JournalSettings.of(config.journal(), config.fsync(), config.journalMaxBytes());
        return new JournaledAdmission(settings, executor, room,
                config.maxLineBytes(), jobIds, metrics.bindJournal(), metrics::service);
    }

    /**
     * What the dashboard shows of the server itself: version, state, configuration, backend. What
     * cannot change is worked out here, once; the supplier adds the state each second.
     */
    private static Supplier<Map<String, Object>> dashboardFacts(ServerConfig config, JobAdmission admission,
                                                                AtomicBoolean shuttingDown, DispatchMetrics metrics) {
        String version = ServerCommand.Version.current();
        Map<String, String> settings = config.settings();
        Map<String, Object> shown = new LinkedHashMap<>();
        for (String flag : DASHBOARD_SETTINGS) {
            shown.put(flag, settings.get(flag));
        }
        Map<String, Object> backendSettings = new LinkedHashMap<>();
        if (config.kafkaEnabled()) {
            backendSettings.put("kind", "kafka");
            backendSettings.put("role", settings.get("role"));
            backendSettings.put("topic", settings.get("kafka-topic"));
            backendSettings.put("group", settings.get("kafka-group"));
            backendSettings.put("brokers", settings.get("kafka"));
        } else if (config.journalEnabled()) {
            backendSettings.put("kind", "journal");
            backendSettings.put("directory", settings.get("journal"));
            backendSettings.put("fsync", settings.get("fsync"));
        } else {
            backendSettings.put("kind", "memory");
        }
        return () -> {
            String unhealthy = admission.unhealthy();
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("version", version);
            facts.put("draining", shuttingDown.get());
            facts.put("unhealthy", unhealthy);
            facts.put("config", shown);
            Map<String, Object> backend = new LinkedHashMap<>(backendSettings);
            if (config.kafkaEnabled()) {
                backend.put("state", unhealthy == null ? "connected" : "brokers unreachable");
            } else if (config.journalEnabled()) {
                io.micrometer.core.instrument.Gauge bytes = metrics.registry().find("dispatchd.journal").gauge();
                backend.put("bytes", bytes == null ? 0 : (long) bytes.value());
                io.micrometer.core.instrument.Timer fsync = metrics.registry().find("dispatchd.journal.fsync").timer();
                if (fsync != null && fsync.count() > 0) {
                    backend.put("fsync mean", String.format(Locale.ROOT, "%.2f ms", fsync.mean(TimeUnit.MILLISECONDS)));
                    backend.put("fsync max (recent)", String.format(Locale.ROOT, "%.2f ms", fsync.max(TimeUnit.MILLISECONDS)));
                }
            }
            facts.put("backend", backend);
            return facts;
        };
    }

    private static Channel bind(ServerBootstrap bootstrap, String host, int port) throws StartupException {
        try {
            return bootstrap.bind(new InetSocketAddress(host, port)).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new StartupException("cannot listen on " + host + ":" + port + ": " + reason(e), e);
        }
    }

    /** "Address already in use", without the transport's prefix ("bind(..) failed with error(-98): "). */
    private static String reason(Throwable e) {
        String message = e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int colon = message.lastIndexOf(": ");
        return colon >= 0 ? message.substring(colon + 2) : message;
    }

    /**
     * The address the request port is bound to, with the real port when {@code --port 0};
     * {@code null} on a Kafka worker-only node, which takes no requests.
     */
    public InetSocketAddress address() {
        return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }

    /** The admin endpoint's address, or {@code null} when it is off. */
    public InetSocketAddress adminAddress() {
        return adminChannel == null ? null : (InetSocketAddress) adminChannel.localAddress();
    }

    /** The meters, as {@code GET /metrics} shows them. */
    public DispatchMetrics metrics() {
        return metrics;
    }

    /** Jobs running on workers now. */
    public int jobsRunning() {
        return admission.running();
    }

    /** Jobs admitted and waiting for a worker. */
    public int jobsQueued() {
        return admission.queued();
    }

    /** Open request connections. */
    public int connections() {
        return connections.open();
    }

    /** Starts the graceful shutdown if it has not started; the future completes when it is done. */
    public CompletableFuture<Void> shutdownAsync() {
        if (shuttingDown.compareAndSet(false, true)) {
            // Refuse new work before returning, so "draining" holds the moment a caller sees it.
            admission.stopAdmitting();
            if (serverChannel != null) {
                serverChannel.close();
            }
            Thread t = new Thread(this::shutdown, "dispatchd-shutdown");
            t.setDaemon(false);
            t.start();
        }
        return terminated;
    }

    /** Reads the certificate and token files again (SIGHUP): new connections use what they hold now. */
    public void reloadSecrets() {
        security.reload();
    }

    /** Whether the admin endpoint speaks HTTPS. */
    public boolean adminTls() {
        return security.tls() != null;
    }

    /** Whether a shutdown has begun. */
    public boolean isDraining() {
        return shuttingDown.get();
    }

    /** Waits until the server has shut down. */
    public void awaitTermination() {
        terminated.join();
    }

    /** Shuts down gracefully and waits. */
    @Override
    public void close() {
        shutdownAsync().join();
    }

    /** Nothing admitted disappears silently: each job cut off at the drain deadline is named. */
    private void logCutOff(DrainReport report) {
        for (DrainReport.CutOff c : report.cutOff()) {
            String when = c.started() ? "still running" : "never started";
            log.warn("drain deadline passed, job {} ({}): {}", report.fate(), when, c.job());
        }
        if (!report.cutOff().isEmpty()) {
            log.warn("drain deadline {} passed: {} admitted jobs did not finish (each logged above)",
                    config.drainTimeout(), report.cutOff().size());
        }
    }

    private void shutdown() {
        try {
            log.info("draining: accepting no connections, answering new requests '!', {} jobs queued, {} running",
                    admission.queued(), admission.running());
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
            }
            logCutOff(admission.drain(config.drainTimeout()));
            for (Channel ch : openChannels) {
                ch.pipeline().fireUserEventTriggered(ServerStopping.INSTANCE); // runs on the channel's loop
            }
            if (!openChannels.newCloseFuture().await(ACK_FLUSH_GRACE.toMillis())) {
                log.warn("{} connections did not take their last acks within {}; closing them",
                        openChannels.size(), ACK_FLUSH_GRACE);
                openChannels.close().await(ACK_FLUSH_GRACE.toMillis());
            }
            admission.close();
            engine.close();
            if (adminChannel != null) {
                dashboard.stop();
                adminChannel.close().syncUninterruptibly(); // last: /health said 503 throughout the drain
                // closed here, not left to the event loops' teardown: that waits only briefly for a
                // closing connection's pending read, and a buffer still lent to the kernel then leaks
                adminConnections.close().await(ACK_FLUSH_GRACE.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("error during shutdown", e);
        } finally {
            // bounded: a stop that never ends is worse than one that says it did not finish cleanly
            // (seen with the jar copied over while the server ran: an event loop died loading a class)
            if (!eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(EVENT_LOOPS_EXIT.toMillis())) {
                log.warn("the event loops did not stop within {}; stopping anyway", Durations.format(EVENT_LOOPS_EXIT));
            }
            log.info("stopped");
            terminated.complete(null);
        }
    }
}
