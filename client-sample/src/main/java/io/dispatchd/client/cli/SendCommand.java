package io.dispatchd.client.cli;

import io.dispatchd.client.ClientOptions;
import io.dispatchd.client.DispatchClient;
import io.dispatchd.protocol.Ack;
import io.dispatchd.protocol.BadRequest;
import io.dispatchd.protocol.Command;
import io.dispatchd.protocol.DurationConverter;
import io.dispatchd.protocol.Quit;
import io.dispatchd.protocol.Request;
import io.dispatchd.protocol.RequestParser;
import io.netty.buffer.Unpooled;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;

/**
 * {@code send WHICH QUAL...}: one request from the arguments; {@code send} alone: one request per
 * stdin line, pipelined, each ack printed in order as soon as it arrives. A line the protocol
 * forbids is not sent: it is printed as {@code ?} and explained on stderr.
 */
@CommandLine.Command(name = "send",
        mixinStandardHelpOptions = true,
        description = {"Sends one request (WHICH QUAL) and prints its ack, e.g. '+ OK'.",
                "With no request, sends one per stdin line (pipelined) and prints each ack in order;",
                "blank lines are skipped, QUIT ends the input.",
                "With --tls it speaks TLS; with --token-file or $DISPATCHD_TOKEN it sends AUTH first."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every ack was '+' (OK)",
                "1:could not connect (TLS handshake included), the token was refused, the connection was lost,"
                        + " or an ack timed out",
                "2:bad arguments (a TLS or token file that cannot be used included), or a request the protocol"
                        + " forbids given as arguments",
                "3:the highest: some request was acked '-' (FAILED)",
                "4:the highest: some request was acked '?' (BAD_REQUEST), or a stdin line was refused",
                "5:the highest: some request was acked '!' (BUSY)"})
final class SendCommand implements Callable<Integer> {

    /** Refuse stdin lines longer than this before sending (the server's own limit is --max-line). */
    static final int MAX_STDIN_LINE_BYTES = 64 * 1024;

    @ParentCommand
    DispatchClientCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerAddressOptions server;

    @Parameters(index = "0", arity = "0..1", paramLabel = "WHICH", description = "Service key, e.g. a.")
    String which;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "QUAL",
            description = "The qual; several words are joined with one space.")
    List<String> qualWords;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to wait for each ack (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "5s",
            converter = DurationConverter.class, description = "How long to wait to connect (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--window", paramLabel = "N", defaultValue = "" + ClientOptions.DEFAULT_MAX_PENDING,
            description = "Stdin mode: requests in flight at most (default: ${DEFAULT-VALUE}).")
    int window;

    @Override
    public Integer call() throws Exception {
        Request request = requestFromArguments();
        if (window < 1 || window > ClientOptions.MAX_MAX_PENDING) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--window must be 1-" + ClientOptions.MAX_MAX_PENDING + ": " + window);
        }
        ClientOptions options = new ClientOptions(server.host(), server.port(), connectTimeout, timeout, window,
                server.tls(), server.token(parent.env()));
        try (DispatchClient client = DispatchClient.connect(options)) {
            if (request != null) {
                Ack ack = client.send(request);
                print(ack);
                return ExitCodes.of(ack);
            }
            return sendStdinLines(client);
        }
    }

    /** The request given as arguments, {@code null} for stdin mode; a forbidden one is a usage error. */
    private Request requestFromArguments() {
        if (which == null) {
            return null;
        }
        if (qualWords == null || qualWords.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing QUAL after WHICH '" + which + "'");
        }
        try {
            return new Request(which, String.join(" ", qualWords));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "request not sent: " + e.getMessage());
        }
    }

    /**
     * A reader thread parses stdin and sends; this thread prints acks in order. A permit per line
     * between reading and printing bounds the lines in flight to the window (which is also the
     * client's maxPending, so sendAsync never fails fast for lack of room) and the queue with them.
     */
    private int sendStdinLines(DispatchClient client) throws InterruptedException {
        Semaphore permits = new Semaphore(window);
        BlockingQueue<Line> inFlight = new ArrayBlockingQueue<>(window + 1); // + 1: room for END
        Thread reader = new Thread(() -> readAndSend(client, permits, inFlight), "dispatchd-client-stdin");
        reader.setDaemon(true);
        reader.start();
        int exitCode = ExitCodes.OK;
        while (true) {
            Line line = inFlight.take();
            if (line == Line.END) {
                return exitCode;
            }
            if (line.refusal() != null) {
                spec.commandLine().getErr().println("line " + line.number() + ": not sent: " + line.refusal());
                if (line.ack() == null) {
                    return ExitCodes.FAILURE; // stdin itself failed
                }
            }
            Ack ack;
            try {
                ack = line.ack().join();
            } catch (CompletionException e) {
                spec.commandLine().getErr().println("dispatchd-client: line " + line.number() + ": " + e.getCause().getMessage());
                return ExitCodes.FAILURE;
            }
            permits.release();
            print(ack);
            exitCode = Math.max(exitCode, ExitCodes.of(ack));
        }
    }

    private void readAndSend(DispatchClient client, Semaphore permits, BlockingQueue<Line> inFlight) {
        BoundedLineReader lines = new BoundedLineReader(parent.stdin(), MAX_STDIN_LINE_BYTES);
        try {
            byte[] bytes;
            long number = 0;
            while ((bytes = lines.readLine()) != null) {
                number++;
                permits.acquire();
                Line line = send(client, number, bytes);
                if (line == Line.END) {
                    break;
                }
                if (line == null) {
                    permits.release();
                } else {
                    inFlight.put(line);
                }
            }
        } catch (IOException e) {
            putQuietly(inFlight, new Line(0, null, "cannot read stdin: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            putQuietly(inFlight, Line.END);
        }
    }

    /** Parses one stdin line with the protocol's own parser and sends it, or refuses it locally. */
    private static Line send(DispatchClient client, long number, byte[] bytes) {
        if (bytes == BoundedLineReader.TOO_LONG) {
            return Line.refused(number, "longer than " + MAX_STDIN_LINE_BYTES + " bytes");
        }
        Command command = RequestParser.parse(Unpooled.wrappedBuffer(bytes));
        if (command == null) {
            return null; // blank: the server would not answer it either
        }
        if (command instanceof Quit) {
            return Line.END;
        }
        if (command instanceof BadRequest bad) {
            return Line.refused(number, bad.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        // the window (queue capacity) equals maxPending, so this never fails fast for lack of room
        return new Line(number, client.sendAsync((Request) command), null);
    }

    private static void putQuietly(BlockingQueue<Line> queue, Line line) {
        try {
            queue.put(line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void print(Ack ack) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(ack.label());
        out.flush();
    }

    /** One stdin line on its way: its ack to come, or why it was not sent ({@code ?} locally). */
    private record Line(long number, CompletableFuture<Ack> ack, String refusal) {
        static final Line END = new Line(-1, null, null);

        static Line refused(long number, String reason) {
            return new Line(number, CompletableFuture.completedFuture(Ack.BAD_REQUEST), reason);
        }
    }
}
