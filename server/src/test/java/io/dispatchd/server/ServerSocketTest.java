package io.dispatchd.server;

import io.dispatchd.server.config.ServerConfig;
import io.dispatchd.server.config.TransportChoice;
import io.dispatchd.server.service.Gate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The whole server in this JVM, over real sockets on 127.0.0.1 and an ephemeral port. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerSocketTest {

    private DispatchServer server;

    private InetSocketAddress start(String... flags) throws StartupException {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--admin-port", "off"));
        args.addAll(List.of(flags));
        server = DispatchServer.start(ServerConfig.fromArgs(args.toArray(String[]::new)));
        return server.address();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Lines of every kind, and the ack each must get (blank lines get none). */
    private static final class Script {
        final StringBuilder wire = new StringBuilder();
        final StringBuilder acks = new StringBuilder();

        static Script mixed(int lines, long seed, boolean completeMode) {
            Script s = new Script();
            Random random = new Random(seed);
            for (int i = 0; i < lines; i++) {
                switch (random.nextInt(10)) {
                    case 0 -> s.line("zz " + i, '?');                  // unknown service
                    case 1 -> s.line("a", '?');                        // no qual
                    case 2 -> s.line("a " + "x".repeat(2000), '?');    // too long
                    case 3 -> s.line("b \u0001" + i, '?');             // control character
                    case 4 -> s.wire.append(random.nextBoolean() ? "\n" : "  \t\r\n"); // blank: no ack
                    case 5 -> s.line("  C\t" + i + "  \r", '+');       // blanks and CRLF
                    default -> s.line("abcd".charAt(random.nextInt(4)) + " " + i, '+');
                }
            }
            return s;
        }

        void line(String line, char ack) {
            wire.append(line).append('\n');
            acks.append(ack);
        }
    }

    @Test
    void tenThousandMixedPipelinedLinesGetExactlyTheExpectedAcksInAcceptMode() throws Exception {
        InetSocketAddress address = start("--engine-iterations", "0", "--queue-capacity", "20000");
        assertEveryLineAckedAsExpected(address, Script.mixed(10_000, 42, false));
    }

    @Test
    void tenThousandMixedPipelinedLinesGetExactlyTheExpectedAcksInCompleteMode() throws Exception {
        InetSocketAddress address = start("--ack", "complete", "--engine-iterations", "3", "--engine-pause", "10us",
                "--workers", "8", "--queue-capacity", "20000", "--max-in-flight", "20000");
        assertEveryLineAckedAsExpected(address, Script.mixed(10_000, 7, true));
    }

    /**
     * The transports differ in how they pause and resume reading and in what they do after a
     * client's FIN; the rest of this class runs on the one {@code auto} picks. A small
     * {@code --max-in-flight} makes the server stop and resume reading many times.
     */
    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void everyTransportAcksPipelinedLinesInOrderThroughReadPausesAndAHalfClose(TransportChoice transport)
            throws Exception {
        try {
            Transport.candidates(transport);
        } catch (StartupException e) {
            assumeTrue(false, e.getMessage());
        }
        InetSocketAddress address = start("--transport", transport.flagValue(), "--ack", "complete",
                "--engine-iterations", "0", "--workers", "2", "--max-in-flight", "16");
        Script script = Script.mixed(5_000, 11, true);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (java.net.Socket s = new java.net.Socket()) {
            s.setSoTimeout(10_000);
            s.connect(address);
            Future<?> sent = writer.submit(() -> {
                s.getOutputStream().write(script.wire.toString().getBytes(StandardCharsets.UTF_8));
                s.shutdownOutput();
                return null;
            });
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .as("every ack, in order, then the server closes").isEqualTo(script.acks.toString());
            sent.get(10, TimeUnit.SECONDS);
        } finally {
            writer.shutdownNow();
        }
    }

    /** Sends the whole script in one write and reads back exactly the acks it expects, in order. */
    private static void assertEveryLineAckedAsExpected(InetSocketAddress address, Script script) throws Exception {
        try (TestConnection c = new TestConnection(address)) {
            c.send(script.wire.toString());
            assertThat(c.read(script.acks.length())).isEqualTo(script.acks.toString());
        }
    }

    @Test
    void badBytesNeverCostAnAckOrTheConnection() throws Exception {
        InetSocketAddress address = start("--engine-iterations", "0", "--max-line", "64");
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        try (TestConnection c = new TestConnection(address)) {
            c.send(junk).send("\n");
            String acks = c.read(countNonBlankLines(junk));
            assertThat(acks).matches("[+?]*");
            c.send("a still-alive\n");
            assertThat(c.read(1)).as("no ack more or less than one per line: the next one is ours").isEqualTo("+");
        }
    }

    private static int countNonBlankLines(byte[] junk) {
        String text = new String(junk, StandardCharsets.ISO_8859_1) + "\n";
        int n = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                String line = text.substring(start, i);
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                if (line.chars().anyMatch(ch -> ch != ' ' && ch != '\t')) { // blank = spaces and tabs only
                    n++;
                }
                start = i + 1;
            }
        }
        return n;
    }

    @Test
    void fiftyConcurrentClientsEachGetTheirOwnAcksInOrder() throws Exception {
        InetSocketAddress address = start("--ack", "complete", "--engine-iterations", "2", "--engine-pause", "50us",
                "--workers", "16", "--queue-capacity", "20000");
        ExecutorService clients = Executors.newFixedThreadPool(50);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int k = 0; k < 50; k++) {
                int client = k;
                results.add(clients.submit((Callable<String>) () -> {
                    StringBuilder lines = new StringBuilder();
                    StringBuilder expected = new StringBuilder();
                    for (int i = 0; i < 200; i++) {
                        boolean bad = (i + client) % 17 == 0;
                        lines.append(bad ? "nope " : "abcd".charAt(i % 4) + " ")
                                .append(client).append('-').append(i).append('\n');
                        expected.append(bad ? '?' : '+');
                    }
                    try (TestConnection c = new TestConnection(address)) {
                        c.send(lines.toString());
                        String got = c.read(200);
                        return got.equals(expected.toString()) ? "ok" : "client " + client + " got " + got;
                    }
                }));
            }
            for (Future<String> r : results) {
                assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void quitWritesOwedAcksThenCloses() throws Exception {
        InetSocketAddress address = start("--ack", "complete");
        try (Gate gate = Gate.create(); TestConnection c = new TestConnection(address)) {
            c.send(gate.request("1") + "\n" + gate.request("2") + "\nQuit\nc 3\n");
            gate.awaitArrivals(2);
            assertThat(c.silentFor(300)).as("QUIT waits for the acks owed: no ack, no close while the jobs run").isTrue();
            gate.open();
            assertThat(c.readToEnd()).isEqualTo("++");
        }
    }

    @Test
    void clientThatHalfClosesAfterSendingGetsEveryOwedAckInCompleteMode() throws Exception {
        InetSocketAddress address = start("--ack", "complete");
        try (Gate gate = Gate.create(); TestConnection c = new TestConnection(address)) {
            c.send(gate.request("1") + "\n" + gate.request("2") + "\nzz 3\n" + gate.request("4") + "\nd 5 unfinished");
            c.halfClose();
            gate.awaitArrivals(3);
            assertThat(c.silentFor(300)).as("the half-close waits for the acks owed").isTrue();
            gate.open();
            assertThat(c.readToEnd())
                    .as("every complete line answered, the unfinished one not, then the server closes")
                    .isEqualTo("++?+");
        }
    }

    @Test
    void clientThatHalfClosesGetsItsAcksInAcceptModeToo() throws Exception {
        InetSocketAddress address = start("--engine-iterations", "0");
        try (java.net.Socket s = new java.net.Socket()) {
            s.setSoTimeout(10_000);
            s.connect(address);
            s.getOutputStream().write("a 1\nb 2\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("++");
        }
    }

    @Test
    void connectionOverTheLimitGetsBusyAndIsClosedWhileOthersWork() throws Exception {
        InetSocketAddress address = start("--max-connections", "2", "--engine-iterations", "0");
        try (TestConnection first = new TestConnection(address);
             TestConnection second = new TestConnection(address)) {
            assertThat(first.send("a 1\n").read(1)).isEqualTo("+");
            assertThat(second.send("a 2\n").read(1)).isEqualTo("+");
            try (TestConnection third = new TestConnection(address)) {
                assertThat(third.readToEnd()).isEqualTo("!");
            }
            assertThat(first.send("a 3\n").read(1)).isEqualTo("+");
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> server.connections() == 0);
        try (TestConnection again = new TestConnection(address)) {
            assertThat(again.send("a 4\n").read(1)).as("places are given back on close").isEqualTo("+");
        }
    }

    @Test
    void idleConnectionIsClosedButNotWhileAnAckIsOwed() throws Exception {
        InetSocketAddress address = start("--idle-timeout", "200ms", "--ack", "complete");
        try (Gate gate = Gate.create();
             TestConnection idle = new TestConnection(address);
             TestConnection busy = new TestConnection(address)) {
            busy.send(gate.request("slow") + "\n");
            gate.awaitArrivals(1);
            assertThat(idle.closedByServer()).isTrue();
            assertThat(busy.silentFor(600)).as("three idle timeouts with an ack owed: still open, nothing sent").isTrue();
            assertThat(server.connections()).isEqualTo(1);
            gate.open();
            assertThat(busy.readToEnd()).as("the ack arrives after the idle timeouts, then the close").isEqualTo("+");
        }
    }

    @Test
    void clientThatNeverReadsIsNotBufferedWithoutEndAndOthersAreServed() throws Exception {
        InetSocketAddress address = start("--engine-iterations", "0", "--queue-capacity", "100000");
        // Short lines, so acks pile up fast, and a small receive buffer, so the kernel holds few of them.
        byte[] line = "a 1\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer chunk = ByteBuffer.allocate(line.length * 16_384);
        while (chunk.hasRemaining()) {
            chunk.put(line);
        }
        long cap = 512L << 20;
        long written = 0;
        try (SocketChannel hog = SocketChannel.open(); Selector selector = Selector.open()) {
            hog.socket().setReceiveBufferSize(4096);
            hog.connect(address);
            hog.configureBlocking(false);
            hog.register(selector, SelectionKey.OP_WRITE);
            // Write until the server stops taking bytes: the socket stays unwritable for a whole second.
            while (written < cap) {
                if (!chunk.hasRemaining()) {
                    chunk.rewind(); // only whole chunks: a write cut mid-line goes on from the cut
                }
                written += hog.write(chunk);
                if (chunk.hasRemaining() && selector.select(1000) == 0) {
                    break;
                }
                selector.selectedKeys().clear();
            }
            assertThat(written).as("the server stopped reading long before %d bytes", cap).isLessThan(cap);

            try (TestConnection other = new TestConnection(address)) {
                // Answered at once, and admitted as soon as the workers have room: the hog's lines may
                // have filled the queue (how many the kernel took for it depends on the machine), but
                // unread, it adds no more.
                int[] tries = {0};
                await("other clients are served meanwhile").atMost(10, TimeUnit.SECONDS)
                        .pollInterval(20, TimeUnit.MILLISECONDS)
                        .until(() -> other.send("b other" + tries[0]++ + "\n").read(1).equals("+"));
            }

            // Every complete line written still gets exactly one ack once the client reads.
            int partial = (int) (written % line.length);
            long lines = written / line.length + (partial > 0 ? 1 : 0);
            hog.keyFor(selector).cancel();
            selector.selectNow(); // completes the cancel, so the channel may block again
            hog.configureBlocking(true);
            // The rest of a cut line goes from another thread: the client's send buffer may be
            // full, and the server reads again only once this thread has read some acks.
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                int restLength = partial > 0 ? line.length - partial : 0;
                Future<Integer> rest = writer.submit(() -> hog.write(ByteBuffer.wrap(line, partial, restLength)));
                hog.socket().setSoTimeout(30_000);
                java.io.InputStream acksIn = hog.socket().getInputStream();
                byte[] buf = new byte[1 << 16];
                long acks = 0;
                while (acks < lines) {
                    int r = acksIn.read(buf);
                    assertThat(r).as("acks still owed: %d", lines - acks).isPositive();
                    for (int i = 0; i < r; i++) {
                        assertThat((char) buf[i]).isIn('+', '!');
                    }
                    acks += r;
                }
                assertThat(acks).isEqualTo(lines);
                assertThat(rest.get(10, TimeUnit.SECONDS)).isEqualTo(restLength);
            } finally {
                writer.shutdownNow();
            }
        }
    }

    @Test
    void serviceLoaderPluginIsServed() throws Exception {
        InetSocketAddress address = start();
        try (TestConnection c = new TestConnection(address)) {
            assertThat(c.send("UPPER hello\n").read(1)).isEqualTo("+");
        }
    }

    @Test
    void fullQueueAnswersBusyAndRecovers() throws Exception {
        InetSocketAddress address = start("--workers", "1", "--queue-capacity", "1");
        try (Gate gate = Gate.create(); TestConnection c = new TestConnection(address)) {
            assertThat(c.send(gate.request("1") + "\n").read(1)).isEqualTo("+");
            gate.awaitArrivals(1); // the one worker holds it
            assertThat(c.send(gate.request("2") + "\n" + gate.request("3") + "\n").read(2))
                    .as("one waits in the queue, one finds it full").isEqualTo("+!");
            assertThat(gate.arrivals()).as("the queued one waits for the worker").isEqualTo(1);
            gate.open();
            await().atMost(5, TimeUnit.SECONDS).until(() -> server.jobsRunning() + server.jobsQueued() == 0);
            assertThat(gate.arrivals()).as("the refused one never ran").isEqualTo(2);
            assertThat(c.send("a 4\n").read(1)).as("room again once the jobs are done").isEqualTo("+");
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS) // a lost room-again call would hold the held line for 30 s
    void nearlyFullQueuePushesBackOnTheClientInsteadOfAnsweringBusy() throws Exception {
        // one worker, held; room for 4: from three queued the client is slowed, not refused
        InetSocketAddress address = start("--workers", "1", "--queue-capacity", "4", "--backpressure", "30s");
        try (Gate gate = Gate.create(); TestConnection c = new TestConnection(address)) {
            StringBuilder acks = new StringBuilder(c.send(gate.request("0") + "\n").read(1));
            gate.awaitArrivals(1);
            for (int i = 1; i < 4; i++) {
                acks.append(c.send(gate.request("" + i) + "\n").read(1));
            }
            c.send(gate.request("4") + "\n");
            assertThat(c.silentFor(300)).as("three queued of four: the next line waits unread, not answered '!'")
                    .isTrue();
            gate.open(); // the queue drains to half: the server reads again
            acks.append(c.read(1));
            for (int i = 5; i < 12; i++) {
                acks.append(c.send(gate.request("" + i) + "\n").read(1));
            }
            assertThat(acks).hasToString("+".repeat(12));
        }
    }

    @Test
    void withoutBackpressureTheSameClientIsAnsweredBusy() throws Exception {
        InetSocketAddress address = start("--workers", "1", "--queue-capacity", "4", "--backpressure", "0");
        try (Gate gate = Gate.create(); TestConnection c = new TestConnection(address)) {
            StringBuilder acks = new StringBuilder(c.send(gate.request("0") + "\n").read(1));
            gate.awaitArrivals(1);
            for (int i = 1; i < 12; i++) {
                acks.append(c.send(gate.request("" + i) + "\n").read(1));
            }
            assertThat(acks).as("one running and four queued; the worker held, the other seven are refused at once")
                    .hasToString("+++++" + "!".repeat(7));
        }
    }

    @Test
    void jobPastTheTimeoutIsAckedFailedInCompleteMode() throws Exception {
        InetSocketAddress address = start("--ack", "complete", "--job-timeout", "50ms");
        try (Gate gate = Gate.create(); TestConnection c = new TestConnection(address)) {
            assertThat(c.send(gate.request("slow") + "\nupper quick\n").read(2)).isEqualTo("-+");
            assertThat(gate.arrivals()).isEqualTo(1);
        }
    }

    @Test
    void drainAnswersNewRequestsBusyAndWritesOwedAcks() throws Exception {
        InetSocketAddress address = start("--ack", "complete");
        try (Gate gate = Gate.create(); TestConnection c = new TestConnection(address)) {
            c.send(gate.request("1") + "\n");
            gate.awaitArrivals(1);
            java.util.concurrent.CompletableFuture<Void> done = server.shutdownAsync();
            assertThat(server.isDraining()).isTrue();
            c.send("b 2\n");
            assertThat(c.silentFor(300)).as("the '!' waits behind the running job's ack").isTrue();
            assertThat(done).as("the drain waits for the running job").isNotDone();
            gate.open();
            assertThat(c.readToEnd()).isEqualTo("+!");
            done.get(10, TimeUnit.SECONDS);
        }
    }
}
