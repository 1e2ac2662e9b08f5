package io.dispatchd.server.executor;

import io.dispatchd.server.service.Service;
import io.dispatchd.server.service.ServiceContext;
import org.jctools.queues.MpmcArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * In-memory {@link JobAdmission}: a fixed number of worker threads and a bounded queue. When both
 * are full a job is refused at once ({@link Refusal#QUEUE_FULL}) and nothing is enqueued.
 *
 * <p><b>Why not a ThreadPoolExecutor.</b> Its queue wakes a waiting worker on every submit: a futex
 * call and two context switches per request, which at a million requests a second is most of the
 * machine. Here the queue is lock-free (JCTools {@link MpmcArrayQueue}) and a submitter wakes a
 * parked worker only when no worker is awake and searching for work; a worker that takes a job
 * while more are queued wakes the next one. Under load the awake workers drain the queue without
 * any wake-up; at rest they are all parked.
 *
 * <p><b>Bounds.</b> {@code queued} counts jobs admitted and not yet taken by a worker; a submitter
 * reserves a place in it before enqueueing, so the bound is exact ({@code --queue-capacity 1}
 * means one), while the array under it is rounded up to a power of two.
 *
 * <p><b>Nearly full.</b> Over three quarters of the capacity queued, {@link #nearlyFull()} tells
 * callers to hold off; those waiting in {@link #callWhenRoom} are called back once the queue is
 * down to half, by whichever thread sees it there. The gap between the two keeps a busy server
 * from flapping.
 *
 * <p><b>Timeouts.</b> A job running past {@code jobTimeout} is reported {@link JobOutcome#TIMED_OUT}
 * at that moment and its thread interrupted; the service's later return is not reported again.
 *
 * <p><b>Draining.</b> {@link #drain} refuses new jobs, lets admitted ones finish until the deadline,
 * then reports every job still unfinished as {@link JobOutcome#ABANDONED} and logs it by service
 * and qual.
 */
public final class BoundedJobExecutor implements JobAdmission {

    private static final Logger log = LoggerFactory.getLogger(BoundedJobExecutor.class);

    private final ServiceContext context;
    private final long jobTimeoutNanos;
    private final int capacity;
    private final MpmcArrayQueue<JobTask> queue;
    private final List<WorkerThread> workers = new ArrayList<>();
    private final ScheduledThreadPoolExecutor timer;

    /** Jobs admitted and not yet taken by a worker: the bound {@code --queue-capacity} applies to it. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Jobs a worker has taken and not finished. */
    private final AtomicInteger running = new AtomicInteger();
    /** Workers awake and not running a job: they will find a newly queued job without being woken. */
    private final AtomicInteger searching = new AtomicInteger();
    /** Parked workers, each at most once; guarded by itself. Touched only to sleep and to wake. */
    private final ArrayDeque<WorkerThread> idle = new ArrayDeque<>();
    private final Object drainSignal = new Object();

    /** {@link #nearlyFull()} from this many queued jobs on … */
    private final int nearlyFullAt;
    /** … and callers waiting for room are called back once the queue is down to this many. */
    private final int roomAgainAt;
    /** Callers register once at a time; the dispatch layer registers one per event loop, not per connection. */
    private final ConcurrentLinkedQueue<Runnable> waitingForRoom = new ConcurrentLinkedQueue<>();
    /**
     * Entries in {@code waitingForRoom}, give or take those being added or taken right now: read on
     * every job taken, so it must be cheap. No waiter is missed because each side writes first and
     * reads the other's value second (see {@link #addWaiter}).
     */
    private final AtomicInteger waitingForRoomCount = new AtomicInteger();

    private volatile boolean draining;
    private volatile boolean deadlinePassed;
    private volatile boolean terminating;

    public BoundedJobExecutor(int workerCount, int queueCapacity, Duration jobTimeout, ServiceContext context) {
        this.context = context;
        this.jobTimeoutNanos = jobTimeout.toNanos();
        this.capacity = queueCapacity;
        this.nearlyFullAt = queueCapacity - queueCapacity / 4;
        this.roomAgainAt = queueCapacity / 2;
        this.queue = new MpmcArrayQueue<>(Math.max(2, queueCapacity));
        if (jobTimeoutNanos > 0) {
            this.timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "dispatchd-job-timeout");
                t.setDaemon(true);
                return t;
            });
            this.timer.setRemoveOnCancelPolicy(true);
        } else {
            this.timer = null;
        }
        searching.set(workerCount); // every worker starts awake and looking
        for (int i = 1; i <= workerCount; i++) {
            WorkerThread w = new WorkerThread("dispatchd-worker-" + i);
            workers.add(w);
            w.start();
        }
    }

    /** Wakes a worker at once if one is needed: a batch of one job. */
    @Override
    public void offer(Service service, String qual, JobTicket ticket) {
        if (enqueue(service, qual, ticket)) {
            wakeWorkerIfNoneSearching();
            ticket.admitted();
        }
    }

    /**
     * As {@link #offer}, but a needed wake-up is left to a task that runs after the caller's
     * current batch, at most one per batch: an event loop that reads thirty requests in one pass
     * wakes a worker (a futex call here and a context switch there, ~30 µs of CPU on a VM) once
     * rather than up to thirty times. The job waits at most for the rest of that pass.
     */
    @Override
    public void offer(Service service, String qual, JobTicket ticket, Executor afterBatch) {
        if (enqueue(service, qual, ticket)) {
            if (searching.get() == 0) {
                WakeAfterBatch wake = wakeAfterBatch.get();
                if (!wake.scheduled) {
                    wake.scheduled = true;
                    afterBatch.execute(wake);
                }
            }
            ticket.admitted();
        }
    }

    /**
     * Per submitting thread and per executor: whether this executor's wake-up is already scheduled
     * after that thread's current batch. (Per executor: a thread offering to two executors in one
     * batch must schedule a wake-up for each.)
     */
    private final ThreadLocal<WakeAfterBatch> wakeAfterBatch = ThreadLocal.withInitial(WakeAfterBatch::new);

    private final class WakeAfterBatch implements Runnable {
        boolean scheduled;

        @Override
        public void run() {
            scheduled = false;
            wakeWorkerIfNoneSearching();
        }
    }

    /** Reserves a place and enqueues; false (and the ticket told why) when refused. */
    private boolean enqueue(Service service, String qual, JobTicket ticket) {
        if (draining) {
            ticket.refused(Refusal.DRAINING);
            return false;
        }
        if (queued.incrementAndGet() > capacity) {
            giveBack();
            ticket.refused(Refusal.QUEUE_FULL);
            return false;
        }
        if (draining) {
            // The drain began between the first look and the reservation. It writes `draining`
            // before it reads `queued`, and this thread the reverse, so either it counts this place
            // (and waits for the job) or this second look sees the drain: never a job admitted
            // after the drain counted the queue empty.
            giveBack();
            ticket.refused(Refusal.DRAINING);
            return false;
        }
        // Cannot fail: the array holds at least `capacity` and at most `queued` jobs are in it.
        queue.offer(new JobTask(service, qual, ticket));
        return true;
    }

    /**
     * Gives back a place reserved and not taken. For a moment it counted: a worker taking a job then
     * saw no room, and a drain may have counted it as a job to wait for; so this thread calls the
     * waiters if the queue is down to half, and tells a drain to look again.
     */
    private void giveBack() {
        queuedDropped(queued.decrementAndGet());
        if (draining) {
            synchronized (drainSignal) {
                drainSignal.notifyAll();
            }
        }
    }

    @Override
    public boolean nearlyFull() {
        return queued.get() >= nearlyFullAt;
    }

    @Override
    public void callWhenRoom(Runnable onRoom) {
        if (addWaiter(onRoom)) {
            callWaitersForRoom();
        }
    }

    /**
     * Puts a waiter in line and tells whether there is room now. It is added and counted before
     * {@code queued} is read, while whoever lowers {@code queued} does so before it reads the count
     * ({@link #queuedDropped}): whichever comes second sees the other, so no waiter is missed.
     */
    private boolean addWaiter(Runnable waiter) {
        waitingForRoom.add(waiter);
        waitingForRoomCount.incrementAndGet();
        return roomNow();
    }

    /** Whether waiters may be called now: the queue is down to half, or the executor has stopped. */
    private boolean roomNow() {
        return queued.get() <= roomAgainAt || terminating;
    }

    /** Whoever lowers {@code queued} calls the waiters back if that made room. */
    private void queuedDropped(int nowQueued) {
        if (nowQueued <= roomAgainAt && waitingForRoomCount.get() > 0) {
            callWaitersForRoom();
        }
    }

    /**
     * Calls the waiters while there is room, or all of them once the executor stops. Room is checked
     * again after taking each one: a waiter may have registered after this call began and after the
     * queue filled again (the event loop that was just called back reads, offers, and waits anew
     * while this thread is still here), and calling it then would let its connection read past a
     * nearly full queue.
     */
    private void callWaitersForRoom() {
        Runnable r;
        while ((r = waitingForRoom.poll()) != null) {
            waitingForRoomCount.decrementAndGet();
            if (!roomNow()) {
                if (!addWaiter(r)) {
                    return;
                }
                continue; // back in line, but room came back meanwhile and whoever made it may have missed r
            }
            r.run();
        }
    }

    @Override
    public int queued() {
        return queued.get();
    }

    @Override
    public int running() {
        return running.get();
    }

    /** Wakes one parked worker, unless a worker is already awake and will find the work. */
    private void wakeWorkerIfNoneSearching() {
        if (searching.get() > 0) {
            return;
        }
        WorkerThread w;
        synchronized (idle) {
            w = idle.pollLast(); // the most recently parked: its caches are warmest
            if (w == null) {
                return;
            }
            searching.incrementAndGet(); // on w's behalf, before any other submitter looks
            w.woken = true;
        }
        LockSupport.unpark(w);
    }

    /** From now on every offer is refused with {@link Refusal#DRAINING}; admitted jobs still run. */
    public void refuseNewJobs() {
        draining = true;
    }

    /**
     * Refuses new jobs, waits up to {@code deadline} for admitted ones, then abandons the rest
     * (reported and logged). Stops the workers. Returns the number abandoned.
     */
    public int drain(Duration deadline) throws InterruptedException {
        refuseNewJobs();
        long end = System.nanoTime() + deadline.toNanos();
        synchronized (drainSignal) {
            long left;
            while (queued.get() + running.get() > 0 && (left = end - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(drainSignal, left);
            }
        }
        int abandoned = 0;
        if (queued.get() + running.get() > 0) {
            // Past the deadline. Order matters: mark it first, so a worker that takes a job from
            // now on abandons it itself; then empty the queue; then abandon what workers hold.
            deadlinePassed = true;
            // Until `queued` is 0, not merely until the queue looks empty: a place still counted
            // is an offer between its reservation and queue.offer (it passed the second look at
            // `draining` just before the drain began), or a place about to be given back, or a
            // job a worker has just taken. Each is a few instructions from done.
            while (queued.get() > 0) {
                JobTask t = queue.poll();
                if (t == null) {
                    Thread.yield(); // let that thread finish, on this core if need be
                    continue;
                }
                queued.decrementAndGet();
                abandoned += t.abandon("never started") ? 1 : 0;
            }
            for (WorkerThread w : workers) {
                JobTask current = w.current;
                if (current != null && current.abandon("still running")) {
                    abandoned++;
                }
            }
        }
        terminate();
        return abandoned;
    }

    private void terminate() {
        terminating = true;
        callWaitersForRoom(); // nobody waits on an executor that has stopped
        wakeAllIdle();
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Wakes every parked worker, to exit: each counts itself out of {@code searching} when it does. */
    private void wakeAllIdle() {
        synchronized (idle) {
            for (WorkerThread w : idle) {
                searching.incrementAndGet(); // as for any wake-up
                w.woken = true;
                LockSupport.unpark(w);
            }
            idle.clear();
        }
    }

    /** Waits for the workers to exit after {@link #drain}; a job ignoring its interrupt keeps its worker. */
    public boolean awaitWorkersExit(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        for (WorkerThread w : workers) {
            long left = end - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(w, left);
            }
            if (w.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** A worker: takes jobs while there are any, parks when there are none. */
    private final class WorkerThread extends Thread {
        /** The job it runs, so the drain deadline can name it. */
        volatile JobTask current;
        /** Set (under the idle lock) by whoever unparks it on purpose; park may also return spuriously. */
        volatile boolean woken;

        WorkerThread(String name) {
            super(name);
        }

        @Override
        public void run() {
            while (true) {
                JobTask task = queue.poll();
                if (task != null) {
                    running.incrementAndGet(); // before queued drops, so the drain never sees 0 + 0 early
                    queuedDropped(queued.decrementAndGet());
                    // More work than awake workers: pass it on, even though with empty jobs this
                    // worker would drain the queue before the other wakes (about half of all
                    // wake-ups at 100 000/s, docs/PERFORMANCE.md 0.11). Nobody can tell, as a job is
                    // taken, whether it will run a microsecond or a minute; behind a long one, the
                    // queued jobs would wait for it.
                    if (searching.decrementAndGet() == 0 && !queue.isEmpty()) {
                        wakeWorkerIfNoneSearching();
                    }
                    task.run(this);
                    running.decrementAndGet();
                    if (draining) {
                        synchronized (drainSignal) {
                            drainSignal.notifyAll();
                        }
                    }
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
                    LockSupport.park(BoundedJobExecutor.this);
                }
            }
        }
    }

    /**
     * One admitted job. Its state moves once from NEW/RUNNING to OVER; whoever moves it (the
     * worker on return, the timer at the timeout, the drain at the deadline) reports the outcome,
     * so the ticket hears exactly one. Interrupts are sent under the same lock as the worker's own
     * end-of-job, so an interrupt can never leak into the worker's next job.
     */
    private final class JobTask {
        private static final int NEW = 0;
        private static final int RUNNING = 1;
        private static final int OVER = 2;

        final Service service;
        final String qual;
        final JobTicket ticket;
        private int state = NEW;
        private Thread runner;
        private long startNanos;

        JobTask(Service service, String qual, JobTicket ticket) {
            this.service = service;
            this.qual = qual;
            this.ticket = ticket;
        }

        /** Null if the executor stopped meanwhile: the drain's deadline has abandoned this job already. */
        private ScheduledFuture<?> scheduleTimeOut() {
            try {
                return timer.schedule(this::timeOut, jobTimeoutNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                return null;
            }
        }

        void run(WorkerThread self) {
            // Publish the job before checking the deadline; the drain sets the deadline before it
            // reads what workers hold. With both volatile, at least one side sees the other, so a
            // job taken at the deadline is abandoned (once: abandon() is idempotent), never lost.
            self.current = this;
            if (deadlinePassed) {
                self.current = null;
                abandon("never started");
                return;
            }
            synchronized (this) {
                if (state != NEW) {
                    self.current = null;
                    return;
                }
                state = RUNNING;
                runner = self;
                startNanos = System.nanoTime();
            }
            ScheduledFuture<?> timeout = timer == null ? null : scheduleTimeOut();
            JobOutcome outcome;
            try {
                service.execute(qual, context);
                outcome = JobOutcome.OK;
            } catch (InterruptedException e) {
                outcome = JobOutcome.FAILED;
            } catch (Throwable t) {
                outcome = JobOutcome.FAILED;
                log.warn("job {} '{}' failed: {}", service.key(), qual, t.toString());
            } finally {
                if (timeout != null) {
                    timeout.cancel(false);
                }
                self.current = null;
            }
            boolean report;
            synchronized (this) {
                report = state == RUNNING;
                state = OVER;
                runner = null;
            }
            Thread.interrupted(); // an interrupt meant for this job must not reach the next one
            if (report) {
                ticket.finished(outcome, System.nanoTime() - startNanos);
            }
        }

        private void timeOut() {
            synchronized (this) {
                if (state != RUNNING) {
                    return;
                }
                state = OVER;
                runner.interrupt();
            }
            log.warn("job {} '{}' ran past the job timeout and was interrupted", service.key(), qual);
            ticket.finished(JobOutcome.TIMED_OUT, System.nanoTime() - startNanos);
        }

        /** Ends the job as abandoned if it is not over yet; returns whether it was. */
        boolean abandon(String how) {
            synchronized (this) {
                if (state == OVER) {
                    return false;
                }
                if (runner != null) {
                    runner.interrupt();
                }
                state = OVER;
            }
            log.warn("drain deadline passed, job abandoned ({}): service={} qual={}", how, service.key(), qual);
            ticket.finished(JobOutcome.ABANDONED, 0);
            return true;
        }
    }
}
