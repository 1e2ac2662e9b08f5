package io.dispatchd.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain blocking socket for whole-server tests: write lines, read ack bytes, with a timeout on every read. */
final class TestConnection implements AutoCloseable {

    private static final int READ_TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    TestConnection(InetSocketAddress address) throws IOException {
        this(connect(new Socket(), address));
    }

    private TestConnection(Socket connected) throws IOException {
        socket = connected;
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** A TLS connection, handshake done, with the trust and the client certificate {@code tls} holds. */
    static TestConnection tls(InetSocketAddress address, javax.net.ssl.SSLContext tls) throws IOException {
        Socket plain = connect(new Socket(), address);
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
                .createSocket(plain, "localhost", address.getPort(), true);
        javax.net.ssl.SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // hostname verification, as the client library does
        s.setSSLParameters(p);
        s.startHandshake();
        return new TestConnection(s);
    }

    private static Socket connect(Socket socket, InetSocketAddress address) throws IOException {
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.connect(address, READ_TIMEOUT_MS);
        return socket;
    }

    TestConnection send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    TestConnection send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads exactly {@code n} ack bytes, failing if they do not all arrive in time. */
    String read(int n) throws IOException {
        byte[] buf = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(buf, got, n - got);
            if (r < 0) {
                throw new IOException("connection closed after " + got + " of " + n + " acks: "
                        + new String(buf, 0, got, StandardCharsets.US_ASCII));
            }
            got += r;
        }
        return new String(buf, StandardCharsets.US_ASCII);
    }

    /** Reads everything until the server closes the connection. */
    String readToEnd() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.US_ASCII);
    }

    /**
     * Whether nothing at all arrives for {@code millis}, neither an ack nor the server's close: for
     * a test that holds the server's jobs at a gate and checks that nothing goes out before them.
     */
    boolean silentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            in.read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MS);
        }
    }

    /** Shuts down the sending side, as {@code nc -N} does at the end of its input. */
    TestConnection halfClose() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    /** Whether the server has closed the connection (an EOF arrives within the read timeout). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
