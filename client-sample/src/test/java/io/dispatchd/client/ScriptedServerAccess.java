package io.dispatchd.client;

import io.netty.handler.ssl.SslContext;

import javax.net.ssl.SSLSession;
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

    /**
     * As {@link #replying(String)}, over TLS with {@code tls} (a server context) and, when
     * {@code token} is not {@code null}, wanting {@code AUTH token} first.
     */
    public static ScriptedServerAccess replying(String reply, SslContext tls, String token) throws InterruptedException {
        return new ScriptedServerAccess(new ScriptedServer(line -> line.equals("88") ? null : reply, tls, token));
    }

    public int port() {
        return server.port();
    }

    public BlockingQueue<String> lines() {
        return server.lines();
    }

    public BlockingQueue<SSLSession> sessions() {
        return server.sessions();
    }

    @Override
    public void close() {
        server.close();
    }
}
