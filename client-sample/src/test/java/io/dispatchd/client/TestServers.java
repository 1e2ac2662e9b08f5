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

    /** Client options aimed at {@code server}. */
    public static ClientOptions optionsFor(DispatchServer server) {
        return ClientOptions.of(server.address().getHostString(), server.address().getPort());
    }
}
