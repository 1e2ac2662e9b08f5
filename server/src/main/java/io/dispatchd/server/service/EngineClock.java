package io.dispatchd.server.service;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Keeps the pauses of every running engine with one thread.
 *
 * <p>Pausing 100 µs between tokens on each job's own thread means, with 64 jobs running, 640 000
 * timed wake-ups a second: on two cores, most of the machine, and the event loops starve. Here a
 * job hands its run to this clock ({@link #start}) and gets a stage back; the clock wakes at most
 * once per pause, emits the tokens that are due, and completes a run's stage when it ends. The
 * job holds no thread in between, so {@code --max-running}, not {@code --workers}, bounds how
 * many run at once. ({@link #run} is the blocking form, for a synchronous service.)
 *
 * <p><b>Timing.</b> Token {@code i} of a run is due {@code i} pauses after the run started and is
 * never emitted before that; the run ends when its last token is due ({@code iterations - 1}
 * pauses) and has been handed over. A busy machine may make a tick late: the tokens due by then
 * are emitted together, so a run's length does not grow with the machine's stalls.
 *
 * <p><b>Cost.</b> Every run lasts as many pauses, so arrival order is end order and the runs sit
 * in one queue, ended from its head. (Two arrivals that cross between reading the time and joining
 * the queue: the earlier one ends with the later, never before its own end.) When nobody wants the
 * tokens, the clock sleeps until the head's end, and the work per tick no longer grows with the
 * number of running jobs; when tokens are wanted it also visits every run each tick.
 */
final class EngineClock implements AutoCloseable {

    /** One job's engine run: which token is next and when it is due. */
    static final class Run {
        final String qual;
        final char letter;
        final int iterations;
        /** Completes when the run is over; cancelled by the job's owner (a timeout, a drain), the clock drops it. */
        final CompletableFuture<Void> over = new CompletableFuture<>();
        final long startNanos;
        /** When the run may end: its last pause is over. */
        final long endNanos;
        int next;

        Run(String qual, char letter, int iterations, long startNanos, long endNanos) {
            this.qual = qual;
            this.letter = letter;
            this.iterations = iterations;
            this.startNanos = startNanos;
            this.endNanos = endNanos;
        }

        /** Whoever owns the job gave up on it (cancelled {@link #over}). */
        boolean cancelled() {
            return over.isCancelled();
        }

        /** The run is over: its stage completes, on the clock's thread. */
        void end() {
            over.complete(null);
        }
    }

    /** Longest stretch spun rather than parked: a short spin per tick costs far less than a late tick. */
    private static final long MAX_SPIN_NANOS = 30_000;
    /** Hand over tokens at least this often: late enough to batch, soon enough to watch. */
    static final long HAND_OVER_NANOS = 1_000_000;
    /** And at this size: 16 K characters, so the appender's bounded queue holds a bounded heap. */
    private static final int HAND_OVER_CHARS = 16 * 1024;
    /** Token output per hand-over interval at most (about 16 MB of text a second): see {@link #emitDueTokens}. */
    private static final int OUTPUT_CHARS_PER_HAND_OVER = HAND_OVER_CHARS;
    /** The longest a run lasts (see {@link #afterPauses}). */
    private static final long RUN_CAP_NANOS = Long.MAX_VALUE / 4;

    private final long pauseNanos;
    /** How much later than asked a timed park returns here; measured, on the clock thread only. */
    private long oversleepNanos;
    private final Consumer<String> tokens;
    private final ConcurrentLinkedQueue<Run> arrivals = new ConcurrentLinkedQueue<>();
    /** Runs in progress, in arrival (and so end) order; clock thread only. */
    private final ArrayDeque<Run> runs = new ArrayDeque<>();
    /**
     * Tokens not yet handed to {@code tokens}, a line each; clock thread only. They go as one
     * string, one log event, when a run ends, when the clock runs out of runs, {@code handOverNanos}
     * after the last hand-over, or at {@link #HAND_OVER_CHARS}: a log event per token cost the
     * appender more CPU than the jobs, and an event per tick woke its thread 10 000 times a second.
     */
    private final StringBuilder lines = new StringBuilder();
    private final long handOverNanos;
    private long lastHandOver;
    /** The output window {@link #emitDueTokens} keeps its budget in, and what it has spent; clock thread only. */
    private long outputWindowStart;
    private int outputInWindow;
    /** Runs whose last token is in {@code lines}, woken once it is handed over; clock thread only. */
    private final ArrayList<Run> finished = new ArrayList<>();
    private final Thread thread;
    /** The clock is parked with nothing to do and must be woken for a new run. */
    private volatile boolean idle;
    private volatile boolean closed;

    /**
     * @param tokens        where tokens go, or {@code null} when nobody wants them (then none is built)
     * @param handOverNanos the longest tokens wait before they are handed to {@code tokens}
     */
    EngineClock(long pauseNanos, Consumer<String> tokens, long handOverNanos) {
        this.pauseNanos = pauseNanos;
        this.tokens = tokens;
        this.handOverNanos = handOverNanos;
        this.lastHandOver = System.nanoTime();
        this.thread = new Thread(this::tick, "dispatchd-engine-clock");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Starts the engine for one job on the clock and returns at once: the stage completes, on the
     * clock's thread, once the last token is due and handed over. Cancelling it drops the run.
     */
    CompletableFuture<Void> start(String qual, char letter, int iterations) {
        long start = System.nanoTime();
        Run run = new Run(qual, letter, iterations, start, start + afterPauses(iterations - 1L));
        arrivals.add(run);
        if (idle) {
            LockSupport.unpark(thread);
        }
        return run.over;
    }

    /** Runs the engine for one job on the clock; blocks the calling thread until the last token. */
    void run(String qual, char letter, int iterations) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("job interrupted");
        }
        CompletableFuture<Void> over = start(qual, letter, iterations);
        try {
            over.get();
        } catch (InterruptedException e) {
            over.cancel(false); // the clock drops it when it reaches the head
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("an engine run cannot fail", e);
        }
    }

    /**
     * How long {@code pauses} pauses last, capped at a quarter of the {@code long} range (about 73
     * years), so that deadlines compare correctly however large the flags; a run that long has not
     * ended before anyone cares.
     */
    private long afterPauses(long pauses) {
        return pauses > RUN_CAP_NANOS / pauseNanos ? RUN_CAP_NANOS : pauses * pauseNanos;
    }

    /** Stops the clock thread; for after the last run. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Each tick emits the tokens now due (when they are wanted), ends the runs now due, and sleeps
     * until the next token or end is due, but at least one pause.
     */
    private void tick() {
        while (!closed) {
            if (!takeArrivals()) {
                continue;
            }
            long now = System.nanoTime();
            long nextDue = Long.MAX_VALUE;
            if (tokens != null) {
                nextDue = emitDueTokens(now);
            }
            Run head;
            while ((head = runs.peek()) != null && (head.cancelled() || head.endNanos - now <= 0)) {
                runs.poll();
                if (!head.cancelled()) {
                    finished.add(head);
                }
            }
            if (!lines.isEmpty() && (!finished.isEmpty() || runs.isEmpty()
                    || now - lastHandOver >= handOverNanos || lines.length() >= HAND_OVER_CHARS)) {
                tokens.accept(lines.toString());
                lines.setLength(0);
                lastHandOver = now;
            }
            for (Run run : finished) { // only now: a job is over once its last token is handed over
                run.end();
            }
            finished.clear();
            if (head != null) {
                // Runs arriving meanwhile end later than the head, so nothing needs to wake us sooner.
                long wake = tokens == null || head.endNanos - nextDue < 0 ? head.endNanos : nextDue;
                sleepUntil(Math.max(wake - now, pauseNanos) + now);
            }
        }
    }

    /**
     * Appends every token due by {@code now}, up to {@link #OUTPUT_CHARS_PER_HAND_OVER} in one
     * hand-over interval; returns when the next one is due (or, with the interval's output spent,
     * when the interval ends). Past that budget the output is lossy on purpose: the tokens are
     * there to watch jobs run, and with thousands of jobs in progress building every one of them
     * would cost more than the jobs (25 million tokens a second at 50 000 jobs a second). A run
     * passed over catches up in a later window, and the tokens of a run that ends before it has
     * caught up are never built: under a sustained load the output is a sample.
     */
    private long emitDueTokens(long now) {
        if (now - outputWindowStart >= handOverNanos) {
            outputWindowStart = now;
            outputInWindow = 0;
        }
        long nextDue = Long.MAX_VALUE;
        int before = lines.length();
        for (Run run : runs) {
            if (run.cancelled()) {
                continue;
            }
            if (outputInWindow + lines.length() - before >= OUTPUT_CHARS_PER_HAND_OVER) {
                outputInWindow += lines.length() - before;
                return outputWindowStart + handOverNanos; // spent: nothing more until the next window
            }
            while (run.next < run.iterations && run.startNanos + afterPauses(run.next) - now <= 0) {
                if (!lines.isEmpty()) {
                    lines.append('\n');
                }
                Engine.appendToken(lines, run.qual, run.letter, run.next++);
            }
            if (run.next < run.iterations) {
                long due = run.startNanos + afterPauses(run.next);
                if (nextDue == Long.MAX_VALUE || due - nextDue < 0) {
                    nextDue = due;
                }
            }
        }
        outputInWindow += lines.length() - before;
        return nextDue == Long.MAX_VALUE ? now : nextDue;
    }

    /**
     * Moves newly arrived runs to the queue; with none to keep, parks until a run arrives (or the
     * clock closes) and returns false (the caller looks again). A worker wakes the clock only while
     * {@code idle}.
     */
    private boolean takeArrivals() {
        Run arrived;
        while ((arrived = arrivals.poll()) != null) {
            runs.add(arrived);
        }
        if (!runs.isEmpty()) {
            return true;
        }
        idle = true;
        if (arrivals.isEmpty() && !closed) {
            LockSupport.park(this);
        }
        idle = false;
        return false;
    }

    /**
     * Sleeps until {@code deadline}, never returning before it. A timed park oversleeps by the
     * machine's timer granularity (about 100 µs on some VMs, so a 100 µs pause would take 200), so
     * the clock asks to wake early by the oversleep it has measured and spins the last few
     * microseconds; when the pause is shorter than the oversleep it simply takes the timer's pace.
     */
    private void sleepUntil(long deadline) {
        long wait = deadline - System.nanoTime();
        if (wait > 0) {
            long asked = Math.max(1, wait - oversleepNanos);
            long before = System.nanoTime();
            LockSupport.parkNanos(this, asked);
            // Moving average of the oversleep, each sample capped at one pause, so one stall of
            // the whole process cannot make the clock stop sleeping.
            long overslept = Math.min(Math.max(0, System.nanoTime() - before - asked), pauseNanos);
            oversleepNanos += (overslept - oversleepNanos) / 8;
        }
        while ((wait = deadline - System.nanoTime()) > 0 && !closed) {
            if (wait > MAX_SPIN_NANOS) {
                LockSupport.parkNanos(this, wait);
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
