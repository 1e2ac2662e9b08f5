package io.dispatchd.server.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A gate the jobs of {@link GateService} wait at until the test opens it: a test that needs a job
 * still running, or a worker still busy, for as long as it looks, holds it here instead of
 * counting on a job to last N ms. Each gate has a name of its own, which the request carries
 * ({@code gate NAME}, see {@link #request}).
 *
 * <p>In this JVM a gate is a latch. For the packaged server in a child process ({@link #inDirectory}),
 * it is a directory both processes see: a job that arrives leaves a file there, and the gate opens
 * when the test leaves {@code NAME.open}; the child is started with {@code -D}{@value #DIRECTORY}.
 */
public final class Gate implements AutoCloseable {

    /** The system property naming the directory of file gates, for a server in another process. */
    public static final String DIRECTORY = "dispatchd.test.gates";

    private static final Map<String, Gate> LATCHES = new ConcurrentHashMap<>();
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final String name = "g" + NAMES.incrementAndGet();
    private final Path directory;
    private final CountDownLatch opened = new CountDownLatch(1);
    private final AtomicInteger arrived = new AtomicInteger();

    private Gate(Path directory) {
        this.directory = directory;
    }

    /** A closed gate for jobs run in this JVM. */
    public static Gate create() {
        Gate gate = new Gate(null);
        LATCHES.put(gate.name, gate);
        return gate;
    }

    /** A closed gate for jobs run by a server started with {@code -D}{@value #DIRECTORY}{@code =directory}. */
    public static Gate inDirectory(Path directory) {
        return new Gate(directory);
    }

    /** The request line, without its newline, for a job that waits at this gate; {@code tag} ends up in its qual. */
    public String request(String tag) {
        return "gate " + name + (tag.isEmpty() ? "" : " " + tag);
    }

    /** The qual of {@link #request}'s job. */
    public String qual(String tag) {
        return request(tag).substring("gate ".length());
    }

    public String name() {
        return name;
    }

    /** How many jobs have reached the gate (and are waiting there, while it is closed). */
    public int arrivals() {
        if (directory == null) {
            return arrived.get();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return (int) files.filter(f -> f.getFileName().toString().startsWith(name + ".arrived.")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code jobs} jobs have reached the gate: they are running, on as many workers. */
    public void awaitArrivals(int jobs) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (arrivals() < jobs) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(arrivals() + " of " + jobs + " jobs at gate " + name
                        + " after " + WAIT.toSeconds() + " s");
            }
            Thread.sleep(5);
        }
    }

    /** Lets every job waiting at the gate, and every one that comes later, go on. */
    public void open() {
        if (directory == null) {
            opened.countDown();
            return;
        }
        try {
            Files.createFile(directory.resolve(name + ".open"));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // opened before
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens the gate, so no job of a finished test waits on; a test's try-with-resources does it.
     * The gate stays known: a job admitted before the end of the test may reach it later.
     */
    @Override
    public void close() {
        open();
    }

    /** Called by {@link GateService} on a worker: arrives at the gate named first in {@code qual} and waits there. */
    static void pass(String qual) throws InterruptedException {
        String name = qual.split("\\s+", 2)[0];
        Gate gate = LATCHES.get(name);
        if (gate != null) {
            gate.arrived.incrementAndGet();
            gate.opened.await();
            return;
        }
        String directory = System.getProperty(DIRECTORY);
        if (directory == null) {
            throw new IllegalStateException("no gate named " + name);
        }
        Path dir = Path.of(directory);
        try {
            Files.createFile(dir.resolve(name + ".arrived." + UUID.randomUUID()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        while (!Files.exists(dir.resolve(name + ".open"))) {
            Thread.sleep(5); // an interrupt (--job-timeout, the drain deadline) ends the wait
        }
    }
}
