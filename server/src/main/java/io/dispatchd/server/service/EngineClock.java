package io.dispatchd.server.service;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Keeps the pauses of every running engine with one thread.
 *
 * <p>The seed pauses 100 µs between tokens on each job's own thread. With 64 jobs running that is
 * 640 000 timed wake-ups a second — on two cores, most of the machine, and the event loops starve.
 * Here a job's worker hands its run to this clock and parks once until the run is over; the clock
 * wakes once per pause, emits the next token of every run that is due, and wakes a worker only
 * when its run ends. Wake-ups no longer grow with the number of running jobs, while a job still
 * holds its worker for its whole duration, so {@code --workers} still bounds how many run at once.
 *
 * <p>Pauses are at least the configured pause: ticks are never closer than that. A tick may come
 * late when the machine is busy, which only slows jobs; it never blocks a worker or an event loop.
 *
 * <p><b>When nobody wants the tokens</b> (the engine logger off), a run's only observable effect
 * is how long it takes, so the clock does not visit every run on every tick: it keeps each run's
 * end, {@code iterations - 1} pauses after it started, and wakes when the earliest is due — at
 * most once per pause, so a run ends at its deadline, normally up to one pause after (later only
 * when the machine is busy), never before. The work per tick then no longer grows with the number
 * of running jobs. A cancelled run is dropped when it reaches the head of the queue, so it is held
 * until about its own end rather than until the next tick.
 */
final class EngineClock {

    /** One job's engine run: which token is next and when it is due. */
    static final class Run {
        final String qual;
        final char letter;
        final int iterations;
        final Thread worker;
        /** When the run may end, for the clock without tokens: its last pause is over. */
        final long endNanos;
        int next;
        volatile boolean done;
        volatile boolean cancelled;

        Run(String qual, char letter, int iterations, Thread worker, long endNanos) {
            this.qual = qual;
            this.letter = letter;
            this.iterations = iterations;
            this.worker = worker;
            this.endNanos = endNanos;
        }

        /** The run is over: its worker returns from {@link EngineClock#run}. */
        void end() {
            done = true;
            LockSupport.unpark(worker);
        }
    }

    /** Longest stretch spun rather than parked: a short spin per tick costs far less than a late tick. */
    private static final long MAX_SPIN_NANOS = 30_000;

    private final long pauseNanos;
    /** How much later than asked a timed park returns here; measured, on the clock thread only. */
    private long oversleepNanos;
    private final Consumer<String> tokens;
    private final ConcurrentLinkedQueue<Run> arrivals = new ConcurrentLinkedQueue<>();
    /** Runs in progress, when tokens are wanted; touched by the clock thread only. */
    private final ArrayList<Run> active = new ArrayList<>();
    /**
     * Tokens not yet handed to {@code tokens}, a line each; clock thread only. They go as one
     * string, one log event, when a run ends, when the clock runs out of runs, {@code handOverNanos}
     * after the last hand-over, or at {@link #HAND_OVER_CHARS}: a log event per token cost the
     * appender more CPU than the jobs, and an event per tick woke its thread 10 000 times a second.
     */
    private final StringBuilder lines = new StringBuilder();
    private final long handOverNanos;
    private long lastHandOver;
    /** Hand over tokens at least this often: late enough to batch, soon enough to watch. */
    static final long HAND_OVER_NANOS = 1_000_000;
    /** And at this size: 16 K characters, so the appender's bounded queue holds a bounded heap. */
    private static final int HAND_OVER_CHARS = 16 * 1024;
    /** The longest a run lasts without tokens (see {@link #runNanos}). */
    private static final long RUN_CAP_NANOS = Long.MAX_VALUE / 4;
    /** Runs whose last token is in {@code lines}, woken once it is handed over; clock thread only. */
    private final ArrayList<Run> finished = new ArrayList<>();
    /**
     * Runs in progress, when no tokens are wanted; clock thread only. Every run lasts as many
     * pauses, so arrival order is end order, except for two arrivals that cross between reading
     * the time and joining the queue: then the earlier one ends with the later, never before its
     * own end.
     */
    private final ArrayDeque<Run> ending = new ArrayDeque<>();
    private final Thread thread;
    /** The clock is parked with nothing to do and must be woken for a new run. */
    private volatile boolean idle;

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

    /** Runs the engine for one job on the clock; blocks the calling worker until the last token. */
    void run(String qual, char letter, int iterations) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("job interrupted");
        }
        Run run = new Run(qual, letter, iterations, Thread.currentThread(), System.nanoTime() + runNanos(iterations));
        arrivals.add(run);
        if (idle) {
            LockSupport.unpark(thread);
        }
        while (!run.done) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                run.cancelled = true; // the clock drops it at its next pass
                throw new InterruptedException("job interrupted");
            }
        }
    }

    /**
     * How long a run of {@code iterations} tokens lasts: its pauses. Capped at a quarter of the
     * {@code long} range (about 73 years), so that deadlines compare correctly however large the
     * flags; a run that long has not ended before anyone cares.
     */
    private long runNanos(int iterations) {
        long pauses = iterations - 1L;
        return pauses > RUN_CAP_NANOS / pauseNanos ? RUN_CAP_NANOS : pauses * pauseNanos;
    }

    /**
     * With tokens: one cadence for all runs. Each tick emits the next token of every active run (a
     * line each, handed over in batches, see {@link #lines}), and the next tick comes no sooner
     * than one pause after this one, so every run's tokens are at least a pause apart and the clock
     * wakes once per tick however many jobs are running. A new run joins at the next tick. Without
     * tokens, {@link #endRunsOnTime} instead.
     */
    private void tick() {
        if (tokens == null) {
            endRunsOnTime();
            return;
        }
        while (true) {
            if (!takeArrivals(active)) {
                continue;
            }
            long tick = System.nanoTime();
            int kept = 0;
            for (int i = 0; i < active.size(); i++) {
                Run run = active.get(i);
                if (run.cancelled) {
                    continue;
                }
                if (!lines.isEmpty()) {
                    lines.append('\n');
                }
                Engine.appendToken(lines, run.qual, run.letter, run.next);
                if (++run.next == run.iterations) {
                    finished.add(run);
                    continue;
                }
                active.set(kept++, run);
            }
            active.subList(kept, active.size()).clear();
            if (!lines.isEmpty() && (!finished.isEmpty() || active.isEmpty()
                    || tick - lastHandOver >= handOverNanos || lines.length() >= HAND_OVER_CHARS)) {
                tokens.accept(lines.toString());
                lines.setLength(0);
                lastHandOver = tick;
            }
            for (Run run : finished) { // only now: a job is over once its last token is handed over
                run.end();
            }
            finished.clear();
            sleepUntil(tick + pauseNanos);
        }
    }

    /**
     * Moves newly arrived runs into {@code runs}; with none to keep, parks until a run arrives and
     * returns false (the caller looks again). A worker wakes the clock only while {@code idle}.
     */
    private boolean takeArrivals(Collection<Run> runs) {
        Run arrived;
        while ((arrived = arrivals.poll()) != null) {
            runs.add(arrived);
        }
        if (!runs.isEmpty()) {
            return true;
        }
        idle = true;
        if (arrivals.isEmpty()) {
            LockSupport.park(this);
        }
        idle = false;
        return false;
    }

    /**
     * The clock without tokens: ends each run when its last pause is over. It sleeps until the
     * earliest end but wakes at most once per pause, ending every run due by then together.
     */
    private void endRunsOnTime() {
        while (true) {
            if (!takeArrivals(ending)) {
                continue;
            }
            long now = System.nanoTime();
            Run run;
            while ((run = ending.peek()) != null && (run.cancelled || run.endNanos - now <= 0)) {
                ending.poll();
                if (!run.cancelled) {
                    run.end();
                }
            }
            if (run != null) {
                // Runs arriving meanwhile end later than this one, so nothing needs to wake us sooner.
                sleepUntil(Math.max(run.endNanos, now + pauseNanos));
            }
        }
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
        while ((wait = deadline - System.nanoTime()) > 0) {
            if (wait > MAX_SPIN_NANOS) {
                LockSupport.parkNanos(this, wait);
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
