package io.dispatchd.server;

import io.dispatchd.server.config.ServerCommand;
import io.dispatchd.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code java -jar dispatchd-server.jar [flags]}.
 *
 * <p>Exit codes: 0 after a graceful shutdown (SIGTERM/SIGINT), {@code --help} or {@code --version};
 * 1 when the server cannot start (port in use, duplicate service key); 2 for bad flags. A second
 * SIGTERM/SIGINT during the drain exits at once with 1, skipping the rest of the drain.
 */
public final class Main {

    public static final int EXIT_OK = 0;
    public static final int EXIT_STARTUP_FAILED = 1;
    public static final int EXIT_BAD_ARGUMENTS = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        // Handlers first, before anything slow: a supervisor may signal while the JVM is still
        // loading classes or the moment the port accepts connections, and expects a clean exit.
        Drain drain = stopOnSignals();
        CommandLine cli;
        ServerConfig config;
        try {
            cli = ServerCommand.commandLine(args, System.getenv());
            cli.parseArgs(args);
            if (cli.isUsageHelpRequested()) {
                cli.usage(out);
                return EXIT_OK;
            }
            if (cli.isVersionHelpRequested()) {
                cli.printVersionHelp(out);
                return EXIT_OK;
            }
            config = ((ServerCommand) cli.getCommand()).toConfig();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            err.println("dispatchd: " + e.getMessage());
            err.println("Usage: dispatchd [--bind HOST] [--port PORT] [--ack accept|complete] [--workers N] [OPTION...]");
            err.println("Try 'dispatchd --help' for every option and its default.");
            return EXIT_BAD_ARGUMENTS;
        }

        DispatchServer server;
        try {
            server = DispatchServer.start(config);
        } catch (StartupException e) {
            err.println("dispatchd: " + e.getMessage());
            return EXIT_STARTUP_FAILED;
        }
        if (server.address() != null) {
            out.println("dispatchd listening on " + hostPort(server.address(), config.bind()));
        } else {
            out.println("dispatchd worker consuming " + config.kafka().topic() + " as " + config.kafka().group());
        }
        if (server.adminAddress() != null) {
            out.println("dispatchd admin on " + (server.adminTls() ? "https://" : "http://")
                    + hostPort(server.adminAddress(), config.adminBind()) + "/");
        }
        out.flush();
        drain.serverStarted(server);
        // SIGHUP reads the certificate and token files again, as nginx and Redis's TLS do
        Signal.handle(new Signal("HUP"), sig -> server.reloadSecrets());
        server.awaitTermination();
        return EXIT_OK;
    }

    /** The bound address; a wildcard as the user wrote it ({@code 0.0.0.0}), not as the socket reports it ({@code ::}). */
    static String hostPort(java.net.InetSocketAddress a, String bind) {
        String host = a.getAddress().isAnyLocalAddress() ? bind : a.getAddress().getHostAddress();
        return host + ":" + a.getPort();
    }

    /**
     * SIGTERM and SIGINT start the drain. A JVM shutdown hook would not do: the JVM would exit 143
     * after it, and we promise 0 after a clean drain. Installed before the server starts; a signal
     * that arrives while it is starting drains it as soon as it has.
     */
    private static Drain stopOnSignals() {
        Drain drain = new Drain();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), drain::signalled);
        }
        return drain;
    }

    /** The first signal drains the server (now, or once it has started); a second exits at once. */
    private static final class Drain {
        private final Logger log = LoggerFactory.getLogger(Main.class);
        private final AtomicBoolean signalled = new AtomicBoolean();
        private final AtomicReference<DispatchServer> server = new AtomicReference<>();

        void signalled(Signal sig) {
            if (signalled.compareAndSet(false, true)) {
                log.info("SIG{} received: draining (send it again to exit at once)", sig.getName());
                DispatchServer s = server.get();
                if (s != null) {
                    s.shutdownAsync();
                }
            } else {
                log.warn("second SIG{}: exiting without finishing the drain", sig.getName());
                Runtime.getRuntime().halt(EXIT_STARTUP_FAILED);
            }
        }

        /** Set before reading the flag, as the handler sets the flag before reading the server: one of them drains. */
        void serverStarted(DispatchServer s) {
            server.set(s);
            if (signalled.get()) {
                s.shutdownAsync(); // idempotent, should the handler have seen the server too
            }
        }
    }
}
