package io.dispatchd.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What bounds the default engine (500 tokens, a 100 us pause between two): the pause itself, with
 * no tokens printed and nothing else running. A plain program, not a JMH benchmark (it measures
 * many threads parking at once, over seconds); it lives in this module so the build compiles it:
 *
 * <pre>
 *   java -cp perf/jmh/target/benchmarks.jar io.dispatchd.benchmarks.PauseBench MODE JOBS [SECONDS] [TOKENS] [PAUSE_US]
 *   MODE  park     JOBS platform threads, each running jobs back to back with the engine's
 *                  pause (LockSupport.parkNanos until the deadline, as Engine.pause does)
 *         virtual  the same on JOBS virtual threads (JDK 21+)
 *         timer    JOBS jobs in flight driven by ONE scheduler thread: each token is a task
 *                  scheduled PAUSE_US after the previous one, no thread parked per job
 * </pre>
 * Prints jobs completed/s, one job's mean wall time against the ideal TOKENS x PAUSE, and the
 * process CPU per token.
 */
public final class PauseBench {

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("park") || args[0].equals("virtual") || args[0].equals("timer"))) {
            System.err.println("usage: PauseBench park|virtual|timer JOBS [SECONDS] [TOKENS] [PAUSE_US]");
            System.exit(2);
        }
        String mode = args[0];
        int jobs = Integer.parseInt(args[1]);
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 10;
        int tokens = args.length > 3 ? Integer.parseInt(args[3]) : 500;
        long pauseNanos = (args.length > 4 ? Long.parseLong(args[4]) : 100) * 1000;

        AtomicLong jobsDone = new AtomicLong();
        AtomicLong jobNanos = new AtomicLong();
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        long end = warmEnd + (long) (seconds * 1e9);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        CountDownLatch over = new CountDownLatch(jobs);
        ScheduledExecutorService timer = null;
        if (mode.equals("timer")) {
            timer = Executors.newSingleThreadScheduledExecutor();
            for (int j = 0; j < jobs; j++) {
                new TimerJob(timer, tokens, pauseNanos, warmEnd, end, jobsDone, jobNanos, over).start();
            }
        } else {
            ThreadFactory factory = mode.equals("virtual") ? virtualFactory() : Thread::new;
            for (int j = 0; j < jobs; j++) {
                factory.newThread(() -> {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        for (int i = 1; i < tokens; i++) { // a pause between two tokens
                            pause(pauseNanos);
                        }
                        long t1 = System.nanoTime();
                        if (t1 >= warmEnd && t1 < end) {
                            jobNanos.addAndGet(t1 - t0);
                            jobsDone.incrementAndGet();
                        }
                    }
                    over.countDown();
                }).start();
            }
        }
        Thread.sleep(Math.max(0, (warmEnd - System.nanoTime()) / 1_000_000));
        long cpuAtStart = os.getProcessCpuTime();
        long wallAtStart = System.nanoTime();
        Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
        long cpuNanos = os.getProcessCpuTime() - cpuAtStart;
        long wallNanos = System.nanoTime() - wallAtStart;
        over.await();
        if (timer != null) {
            timer.shutdownNow();
        }
        long done = jobsDone.get();
        double cpuCores = cpuNanos / (double) wallNanos;
        double wallMs = done == 0 ? 0 : jobNanos.get() / 1e6 / done;
        System.out.printf("PAUSE mode=%s jobs_in_flight=%d jdk=%s jobs_per_s=%.0f job_wall_ms=%.1f ideal_ms=%.1f"
                        + " pause_actual_us=%.1f cpu_us_per_token=%.2f cpu_cores=%.2f%n",
                mode, jobs, Runtime.version().feature(), done / seconds, wallMs, (tokens - 1) * pauseNanos / 1e6,
                wallMs * 1000 / Math.max(1, tokens - 1), cpuNanos / 1e3 / Math.max(1, done * tokens), cpuCores);
        System.exit(0);
    }

    /** The engine's pause: park until the deadline, resuming after early wake-ups. */
    static void pause(long pauseNanos) {
        long deadline = System.nanoTime() + pauseNanos;
        long left = pauseNanos;
        do {
            LockSupport.parkNanos(left);
            left = deadline - System.nanoTime();
        } while (left > 0);
    }

    static ThreadFactory virtualFactory() throws Exception {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Method unstarted = Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
        return r -> {
            try {
                return (Thread) unstarted.invoke(builder, r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("virtual threads need JDK 21+", e);
            }
        };
    }

    /** One job as a chain of timer tasks: a token, then the next one scheduled a pause later. */
    static final class TimerJob implements Runnable {
        final ScheduledExecutorService timer;
        final int tokens;
        final long pauseNanos;
        final long warmEnd;
        final long end;
        final AtomicLong jobsDone;
        final AtomicLong jobNanos;
        final CountDownLatch over;
        int i;
        long t0;

        TimerJob(ScheduledExecutorService timer, int tokens, long pauseNanos, long warmEnd, long end,
                 AtomicLong jobsDone, AtomicLong jobNanos, CountDownLatch over) {
            this.timer = timer;
            this.tokens = tokens;
            this.pauseNanos = pauseNanos;
            this.warmEnd = warmEnd;
            this.end = end;
            this.jobsDone = jobsDone;
            this.jobNanos = jobNanos;
            this.over = over;
        }

        void start() {
            i = 0;
            t0 = System.nanoTime();
            timer.execute(this);
        }

        @Override
        public void run() {
            i++; // token i emitted here
            if (i < tokens) {
                timer.schedule(this, pauseNanos, TimeUnit.NANOSECONDS);
                return;
            }
            long t1 = System.nanoTime();
            if (t1 >= warmEnd && t1 < end) {
                jobNanos.addAndGet(t1 - t0);
                jobsDone.incrementAndGet();
            }
            if (t1 < end) {
                start();
            } else {
                over.countDown();
            }
        }
    }
}
