package io.dispatchd.server.executor;

import org.jctools.queues.MpmcArrayQueue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed number of worker threads taking {@link JobRun}s from a lock-free queue.
 *
 * <p><b>Why not a ThreadPoolExecutor.</b> Its queue wakes a waiting worker on every submit: a futex
 * call and two context switches per request, which at a million requests a second is most of the
 * machine. Here the queue is lock-free (JCTools {@link MpmcArrayQueue}) and a submitter wakes a
 * parked worker only when no worker is awake and searching for work; a worker that takes a job
 * while more are queued wakes the next one (the hand-on). Under load the awake workers drain the
 * queue without any wake-up; at rest they are all parked.
 *
 * <p>The queue is not bounded here: the caller reserves a place in the {@link AdmissionGate}
 * before {@link #enqueue}, and a worker gives it back as it takes the job.
 */
final class WorkerPool {

    private final AdmissionGate gate;
    /** Called after each job a worker ends: a drain waiting for the pool to go quiet. */
    private final Runnable onJobEnd;
    private final MpmcArrayQueue<JobRun> queue;
    private final List<Worker> workers = new ArrayList<>();
    /** Jobs a worker has taken and not finished. */
    private final AtomicInteger running = new AtomicInteger();
    /** Workers awake and not running a job: they will find a newly queued job without being woken. */
    private final AtomicInteger searching = new AtomicInteger();
    /** Parked workers, each at most once; guarded by itself. Touched only to sleep and to wake. */
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    /**
     * Per submitting thread: whether this pool's wake-up is already scheduled after that thread's
     * current batch. (Per pool: a thread offering to two pools in one batch must wake each.)
     */
    private final ThreadLocal<WakeAfterBatch> wakeAfterBatch = ThreadLocal.withInitial(WakeAfterBatch::new);
    private volatile boolean terminating;

    /** With worker threads of this kind (platform threads, or virtual threads on a JVM that has them). */
    WorkerPool(int workerCount, AdmissionGate gate, Runnable onJobEnd, WorkerThreads kind) {
        this.gate = gate;
        this.onJobEnd = onJobEnd;
        this.queue = new MpmcArrayQueue<>(Math.max(2, gate.capacity()));
        for (int i = 1; i <= workerCount; i++) {
            workers.add(new Worker(kind, "dispatchd-worker-" + i));
        }
    }

    void start() {
        searching.set(workers.size()); // every worker starts awake and looking
        workers.forEach(w -> w.thread.start());
    }

    /** Queues a job whose place is reserved; cannot fail, since at most the capacity is reserved. */
    void enqueue(JobRun run) {
        queue.offer(run);
    }

    /** Queued jobs, for a drain at its deadline; {@code null} when none is left. */
    JobRun poll() {
        return queue.poll();
    }

    int running() {
        return running.get();
    }

    /** The jobs workers hold right now, for a drain at its deadline. */
    List<JobRun> current() {
        List<JobRun> held = new ArrayList<>();
        for (Worker w : workers) {
            JobRun run = w.current;
            if (run != null) {
                held.add(run);
            }
        }
        return held;
    }

    /**
     * Whether every job a worker has taken has started, or been ended by the drain: none is still
     * on its way to its worker's own deadline check (taken, not yet published, or not started).
     */
    boolean takenJobsSettled() {
        int held = 0;
        for (Worker w : workers) {
            JobRun run = w.current;
            if (run != null) {
                if (run.notStarted()) {
                    return false;
                }
                held++;
            }
        }
        return running.get() <= held;
    }

    /**
     * Wakes a worker for a job just queued, or, from a thread that works in batches, leaves the
     * wake-up to a task run after its current batch, at most one per batch: an event loop that
     * reads thirty requests in one pass wakes a worker (a futex call here and a context switch
     * there, ~30 µs of CPU on a VM) once rather than up to thirty times. The job waits at most
     * for the rest of that pass.
     */
    void wakeAfterBatch(Executor afterBatch) {
        if (searching.get() == 0) {
            WakeAfterBatch wake = wakeAfterBatch.get();
            if (!wake.scheduled) {
                wake.scheduled = true;
                afterBatch.execute(wake);
            }
        }
    }

    private final class WakeAfterBatch implements Runnable {
        boolean scheduled;

        @Override
        public void run() {
            scheduled = false;
            wakeWorkerIfNoneSearching();
        }
    }

    /** Wakes one parked worker, unless a worker is already awake and will find the work. */
    void wakeWorkerIfNoneSearching() {
        if (searching.get() > 0) {
            return;
        }
        Worker w;
        synchronized (idle) {
            w = idle.pollLast(); // the most recently parked: its caches are warmest
            if (w == null) {
                return;
            }
            searching.incrementAndGet(); // on w's behalf, before any other submitter looks
            w.woken = true;
        }
        LockSupport.unpark(w.thread);
    }

    /** Lets every worker exit once the queue is empty. */
    void terminate() {
        terminating = true;
        wakeAllIdle();
    }

    /** Wakes every parked worker, to exit: each counts itself out of {@code searching} when it does. */
    private void wakeAllIdle() {
        synchronized (idle) {
            for (Worker w : idle) {
                searching.incrementAndGet(); // as for any wake-up
                w.woken = true;
                LockSupport.unpark(w.thread);
            }
            idle.clear();
        }
    }

    /** Waits for the workers to exit after {@link #terminate}; a job ignoring its interrupt keeps its worker. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        for (Worker w : workers) {
            long left = end - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(w.thread, left);
            }
            if (w.thread.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** A worker: takes jobs while there are any, parks when there are none. */
    final class Worker implements Runnable {
        /** Its thread: a platform thread, or a virtual one ({@link WorkerThreads}). */
        final Thread thread;
        /** The job it runs, so the drain deadline can name it. */
        volatile JobRun current;
        /** Set (under the idle lock) by whoever unparks it on purpose; park may also return spuriously. */
        volatile boolean woken;

        Worker(WorkerThreads kind, String name) {
            this.thread = kind.newThread(this, name);
        }

        @Override
        public void run() {
            while (true) {
                JobRun run = queue.poll();
                if (run != null) {
                    running.incrementAndGet(); // before the place is given back, so a drain never sees 0 + 0 early
                    gate.release();
                    // More work than awake workers: pass it on, even though with empty jobs this
                    // worker would drain the queue before the other wakes (about half of all
                    // wake-ups at 100 000/s). Nobody can tell, as a job is taken, whether it will
                    // run a microsecond or a minute; behind a long one, the queued jobs would wait.
                    if (searching.decrementAndGet() == 0 && !queue.isEmpty()) {
                        wakeWorkerIfNoneSearching();
                    }
                    run.run(this);
                    running.decrementAndGet();
                    onJobEnd.run();
                    searching.incrementAndGet();
                    continue;
                }
                if (terminating) {
                    searching.decrementAndGet();
                    return;
                }
                synchronized (idle) {
                    woken = false;
                    idle.addLast(this);
                }
                searching.decrementAndGet();
                if (terminating) {
                    // terminate() may have swept the idle workers before we joined them, and the
                    // worker still searching that would otherwise wake us may be exiting instead.
                    wakeAllIdle(); // ourselves included
                } else if (!queue.isEmpty()) {
                    // A job queued after our poll but while we still counted as searching woke nobody.
                    wakeWorkerIfNoneSearching(); // may well wake ourselves
                }
                while (!woken) {
                    LockSupport.park(WorkerPool.this);
                }
            }
        }
    }
}
