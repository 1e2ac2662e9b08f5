package io.dispatchd.client;

import java.util.concurrent.BlockingQueue;

/** Lets tests in other packages use the package-private {@link ScriptedServer}. */
public final class ScriptedServerAccess implements AutoCloseable {

    private final ScriptedServer server;

    private ScriptedServerAccess(ScriptedServer server) {
        this.server = server;
    }

    /** A server that answers each request line with {@code reply} (a beanstalkd body line "88" gets none). */
    public static ScriptedServerAccess replying(String reply) throws InterruptedException {
        // a beanstalkd put is two lines (command, body): answer the command line only
        return new ScriptedServerAccess(new ScriptedServer(line -> line.equals("88") ? null : reply));
    }

    public int port() {
        return server.port();
    }

    public BlockingQueue<String> lines() {
        return server.lines();
    }

    @Override
    public void close() {
        server.close();
    }
}
