package io.dispatchd.client;

import io.dispatchd.server.DispatchServer;
import io.dispatchd.server.config.ServerConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The real server, in-process, on 127.0.0.1 and an ephemeral port, admin endpoint off. */
public final class TestServers {

    private TestServers() {
    }

    /** Starts a server with {@code --port 0 --admin-port off} and the given flags (later flags win). */
    public static DispatchServer start(String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--admin-port", "off"));
        args.addAll(Arrays.asList(flags));
        return DispatchServer.start(ServerConfig.fromArgs(args.toArray(String[]::new)));
    }

    /** A fast server: jobs do no work, so tests measure the protocol, not the engine. */
    public static DispatchServer fast() throws Exception {
        return start("--engine-iterations", "0");
    }

    /**
     * Flags for a server that one client can fill: one job in progress at most (the engine's job of
     * 100 s waits without a thread, so {@code --max-running}, not the one worker, is the bound), and
     * a queue of one.
     */
    public static final String[] FILLABLE = {"--workers", "1", "--max-running", "1", "--queue-capacity", "1",
            "--engine-iterations", "100000", "--engine-pause", "1ms", "--drain-timeout", "100ms"};

    /**
     * Sends to a {@link #FILLABLE} server until three requests were admitted: one in progress, one
     * taken by the worker and waiting for it to end, one queued, so from then on every request is
     * answered {@code !}. (Counting sends is not enough: a request may find the queue full just
     * before the worker takes the job out.)
     */
    public static void fill(DispatchClient client) {
        int admitted = 0;
        for (int sent = 0; admitted < 3; sent++) {
            if (sent == 1_000) {
                throw new IllegalStateException("server not full after 1000 requests");
            }
            if (client.send("a", "fill-" + sent) == io.dispatchd.protocol.Ack.OK) {
                admitted++;
            }
        }
    }

    /** Client options aimed at {@code server}. */
    public static ClientOptions optionsFor(DispatchServer server) {
        return ClientOptions.of(server.address().getHostString(), server.address().getPort());
    }
}
