package io.dispatchd.server.journal;

import io.dispatchd.server.config.FsyncPolicy;
import io.dispatchd.server.executor.BoundedJobExecutor;
import io.dispatchd.server.executor.DrainReport;
import io.dispatchd.server.executor.Job;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.executor.JobIds;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.executor.JobTicket;
import io.dispatchd.server.executor.Refusal;
import io.dispatchd.server.metrics.JournalMeters;
import io.dispatchd.server.metrics.ServiceMeters;
import io.dispatchd.server.pipeline.RateLimitedLog;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.zip.CRC32C;

/**
 * A {@link JobAdmission} that writes every job to a {@link JournalStore} before admitting it to a
 * {@link BoundedJobExecutor}, so that a job acked {@code +} survives {@code kill -9}: at the next
 * start every job admitted and not completed runs again (at-least-once, attempt + 1).
 *
 * <p><b>The request path.</b> An offer reserves a place in the executor, encodes an admission
 * record into its event loop's batch buffer and leaves the rest to a task that runs once after the
 * loop's pass: one {@code write} for every request of the pass (with {@code --fsync always}, one
 * fsync too), and only then are the jobs queued and their tickets told. No syscall and no buffer
 * per request; a failed write answers {@code !} to the requests of that write only.
 *
 * <p><b>Completions</b> go from the workers through a bounded lock-free queue and are written by
 * whoever writes next (the next pass of an event loop, or the sync thread within a second). A
 * completion lost in a crash only means the job runs once more.
 *
 * <p><b>Disk.</b> A segment file goes once every job whose newest admission record it holds is
 * over. So that one stuck job cannot pin a chain of segments, each time the store rolls to a new
 * segment the live jobs of the older ones are written again into the new one (what beanstalkd's
 * binlog does) and the old files go: the journal holds about one segment plus the live jobs.
 * Past {@code --journal-max-bytes} new jobs are refused.
 *
 * <p>One lock guards the store and the segments' live lists; a writer holds it for one write.
 */
public final class JournaledAdmission implements JobAdmission {

    private static final Logger log = LoggerFactory.getLogger(JournaledAdmission.class);
    private static final RateLimitedLog WRITE_FAILURES = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private static final RateLimitedLog FULL = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private static final Executor DIRECT = Runnable::run;
    /** An event loop's batch buffer: far more than a pass reads, so one write per pass. */
    private static final int BATCH_BYTES = 256 * 1024;
    /**
     * How often completions are written when no request comes to carry them: soon, since each one
     * not written when the process dies is a job that runs twice.
     */
    private static final long COMPLETIONS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How often the journal is fsynced with {@code --fsync everysec}. */
    private static final long FSYNC_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final JournalSettings settings;
    private final BoundedJobExecutor executor;
    private final int maxLiveJobs;
    private final JobIds ids;
    private final JournalMeters meters;
    /** A service's meters by key, to count the jobs recovered: {@code null} for a service gone since. */
    private final Function<String, ServiceMeters> serviceMeters;
    private final int batchBytes;

    private final Object lock = new Object();
    private JournalStore store;
    private final TreeMap<Long, LiveSegment> segments = new TreeMap<>();
    private long activeSegment;
    /** Appended since the last fsync. */
    private boolean dirty;
    /** The lock holder's own buffer: completions from the sync thread, jobs written again, recovery. */
    private final ByteBuffer lockedBuffer;
    private final CRC32C lockedCrc = new CRC32C();

    private MpscArrayQueue<JournaledJob> completions;
    private final ThreadLocal<Batch> batches;
    private volatile long bytes;
    /** Why the last write or fsync failed, while it lasts; {@code null} when writes succeed. */
    private volatile String failure;
    private volatile boolean closing;
    private boolean closed;
    private Thread syncer;
    private Thread feeder;
    private List<JournaledJob> recovered = List.of();
    /** How many of {@code recovered} the feeder has handed to the executor. */
    private volatile int fed;

    /**
     * @param maxLiveJobs   how many jobs can be admitted and not over at once in this run: the
     *                      executor's queue capacity plus its workers
     * @param maxLineBytes  the longest line a request can be, which bounds a record
     */
    public JournaledAdmission(JournalSettings settings, BoundedJobExecutor executor, int maxLiveJobs,
                              int maxLineBytes, JobIds ids, JournalMeters meters,
                              Function<String, ServiceMeters> serviceMeters) {
        this.settings = settings;
        this.executor = executor;
        this.maxLiveJobs = maxLiveJobs;
        this.ids = ids;
        this.meters = meters;
        this.serviceMeters = serviceMeters;
        this.batchBytes = Math.max(BATCH_BYTES, JournalRecords.admittedSize("", "") + JournalRecords.MAX_SERVICE
                + maxLineBytes + JournalRecords.COMPLETED_SIZE);
        this.lockedBuffer = ByteBuffer.allocateDirect(batchBytes);
        this.batches = ThreadLocal.withInitial(Batch::new);
    }

    // ---------------------------------------------------------------- start: recovery

    /**
     * Locks the directory, recovers, writes every job that is to run again into the newest segment
     * (its attempt one higher) and deletes the older segments, then starts the executor, the sync
     * thread, and a thread that feeds the recovered jobs to the executor as it has room.
     */
    @Override
    public void start() {
        Map<Long, JournalRecord.Admitted> live = new LinkedHashMap<>();
        long[] maxId = {0};
        try {
            store = JournalStore.open(settings.directory(), settings.segmentBytes(), r -> {
                maxId[0] = Math.max(maxId[0], r.record().id());
                if (r.record() instanceof JournalRecord.Admitted a) {
                    live.remove(a.id()); // a job written again after a roll: its newest record counts
                    live.put(a.id(), a);
                } else {
                    live.remove(r.record().id());
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot open journal " + settings.directory() + ": " + e.getMessage(), e);
        } catch (JournalLockedException | JournalCorruptException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        ids.advancePast(maxId[0]);
        List<JournaledJob> again = new ArrayList<>(live.size());
        for (JournalRecord.Admitted a : live.values()) {
            Job job = new Job(a.id(), a.service(), a.qual(), a.attempt()).nextAttempt();
            again.add(new JournaledJob(job, new RecoveredTicket(job), this));
        }
        synchronized (lock) {
            activeSegment = store.activeSegment();
            try {
                writeAgain(again);
                store.force();
                dirty = false;
                deleteClosedSegments();
            } catch (IOException e) {
                closeStoreQuietly();
                throw new IllegalStateException("cannot write journal " + settings.directory()
                        + " after recovery: " + e.getMessage(), e);
            }
            sizeChanged();
        }
        log.info("journal {}: {} jobs admitted and not completed before will run again (fsync {}, {} bytes)",
                settings.directory(), again.size(), settings.fsync().name().toLowerCase(java.util.Locale.ROOT), bytes);
        meters.recovered(again.size());
        recovered = again;
        completions = new MpscArrayQueue<>(Math.max(2, maxLiveJobs + again.size()));
        executor.start();
        syncer = new Thread(this::sync, "dispatchd-journal-sync");
        syncer.setDaemon(true);
        syncer.start();
        if (!again.isEmpty()) {
            feeder = new Thread(this::feedRecovered, "dispatchd-journal-recovery");
            feeder.setDaemon(true);
            feeder.start();
        }
    }

    /** Counts the outcome of a job recovered from the journal; no client waits for its ack. */
    private final class RecoveredTicket implements JobTicket {
        private final Job job;

        RecoveredTicket(Job job) {
            this.job = job;
        }

        @Override
        public void admitted() {
        }

        @Override
        public void refused(Refusal why) {
        }

        @Override
        public void finished(JobOutcome outcome, long runNanos) {
            ServiceMeters m = serviceMeters.apply(job.service());
            if (m != null) {
                m.jobFinished(outcome, runNanos);
            }
        }
    }

    /** Hands the recovered jobs to the executor as it has room; those left at a drain stay in the journal. */
    private void feedRecovered() {
        try {
            for (JournaledJob j : recovered) {
                Refusal refusal;
                while ((refusal = executor.reserve()) != null) {
                    if (refusal == Refusal.DRAINING) {
                        return;
                    }
                    CountDownLatch room = new CountDownLatch(1);
                    executor.callWhenRoom(room::countDown);
                    room.await();
                }
                executor.admitReserved(j.job, j, DIRECT);
                fed++;
            }
        } catch (InterruptedException e) {
            // closing: the jobs not fed stay in the journal
        }
    }

    // ---------------------------------------------------------------- the request path

    @Override
    public void offer(Job job, JobTicket ticket) {
        offer(job, ticket, DIRECT);
    }

    @Override
    public void offer(Job job, JobTicket ticket, Executor afterBatch) {
        Refusal refusal = executor.reserve();
        if (refusal == null && bytes >= settings.maxBytes()) {
            executor.unreserve();
            FULL.warn("journal is full ({} bytes, --journal-max-bytes): answering '!'", bytes);
            refusal = Refusal.JOURNAL_UNAVAILABLE;
        }
        if (refusal != null) {
            ticket.refused(refusal);
            return;
        }
        Batch batch = batches.get();
        if (JournalRecords.admittedSize(job.service(), job.qual()) > batch.buffer.remaining()) {
            write(batch); // a full buffer goes out now; its jobs wait for the end of the pass like the rest
        }
        JournalRecords.putAdmitted(batch.buffer, batch.crc, job.id(), job.attempt(), job.service(), job.qual());
        batch.encoded.add(new JournaledJob(job, ticket, this));
        if (!batch.scheduled) {
            batch.scheduled = true;
            afterBatch.execute(batch);
        }
    }

    /** One thread's admissions between two writes; the thread's own, so it needs no lock. */
    private final class Batch implements Runnable {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(batchBytes);
        final CRC32C crc = new CRC32C();
        /** Encoded in {@code buffer}, not yet written. */
        final List<JournaledJob> encoded = new ArrayList<>();
        /** Written (and linked to their segment), to be admitted at the end of the pass. */
        final List<JournaledJob> written = new ArrayList<>();
        /** Their write failed: to be answered {@code !} at the end of the pass. */
        final List<JournaledJob> failed = new ArrayList<>();
        boolean scheduled;

        /** The end of the pass. */
        @Override
        public void run() {
            scheduled = false;
            write(this);
            if (settings.fsync() == FsyncPolicy.ALWAYS && !written.isEmpty()) {
                forceOrCancel(written, failed);
            }
            for (JournaledJob j : failed) {
                executor.unreserve();
                j.caller.refused(Refusal.JOURNAL_UNAVAILABLE);
            }
            for (JournaledJob j : written) {
                executor.admitReserved(j.job, j, DIRECT);
            }
            failed.clear();
            written.clear();
        }
    }

    /** Writes what {@code batch} has encoded, with whatever completions fit beside it. */
    private void write(Batch batch) {
        if (batch.encoded.isEmpty()) {
            return;
        }
        synchronized (lock) {
            takeCompletions(batch.buffer, batch.crc);
            if (appendLocked(batch.buffer, batch.encoded)) {
                batch.written.addAll(batch.encoded);
            } else {
                batch.failed.addAll(batch.encoded);
            }
            compactIfRolled();
        }
        batch.encoded.clear();
    }

    /**
     * {@code --fsync always}: the end of a pass. If the fsync fails the jobs are answered {@code !}
     * and recorded over, so that they do not run at the next start either (best effort: a journal
     * whose fsync fails may lose what it was given).
     */
    private void forceOrCancel(List<JournaledJob> written, List<JournaledJob> failed) {
        synchronized (lock) {
            if (!dirty) {
                return; // another thread's fsync covered these records
            }
            try {
                forceLocked();
            } catch (IOException e) {
                writeFailed("fsync", e);
                for (JournaledJob j : written) {
                    completeLocked(j);
                }
                flushLocked();
                failed.addAll(written);
                written.clear();
            }
        }
    }

    /** A job is over (not cut off by a drain): its record need not run again. Any thread. */
    void completed(JournaledJob job) {
        if (!completions.offer(job)) {
            // Cannot happen (the queue holds every job that can be live), but never lose it.
            synchronized (lock) {
                completeLocked(job);
            }
        }
    }

    // ---------------------------------------------------------------- under the lock

    /**
     * Moves completions from the queue into {@code buffer} while they fit: unlinks each job from its
     * segment (which may let the segment go) and encodes its completion record.
     */
    private void takeCompletions(ByteBuffer buffer, CRC32C crc) {
        JournaledJob j;
        while (buffer.remaining() >= JournalRecords.COMPLETED_SIZE && (j = completions.relaxedPoll()) != null) {
            JournalRecords.putCompleted(buffer, crc, j.job.id());
            unlink(j);
        }
    }

    /** A completion written through the lock's own buffer. */
    private void completeLocked(JournaledJob j) {
        if (lockedBuffer.remaining() < JournalRecords.COMPLETED_SIZE) {
            flushLocked();
        }
        JournalRecords.putCompleted(lockedBuffer, lockedCrc, j.job.id());
        unlink(j);
    }

    /** Writes the lock's own buffer; its records are completions and jobs already answered. */
    private boolean flushLocked() {
        return appendLocked(lockedBuffer, List.of());
    }

    /**
     * Appends {@code buffer} (written from position 0 to its position) and links {@code jobs}, whose
     * admission records it holds, to the segment it went into. On a failure the buffer's records
     * are not in the journal. The buffer is cleared either way.
     */
    private boolean appendLocked(ByteBuffer buffer, List<JournaledJob> jobs) {
        buffer.flip();
        try {
            if (!buffer.hasRemaining()) {
                return true;
            }
            if (closed) {
                throw new IOException("journal is closed");
            }
            long segment = store.append(buffer);
            dirty = true;
            LiveSegment live = segments.computeIfAbsent(segment, LiveSegment::new);
            for (JournaledJob j : jobs) {
                if (j.segment != null) {
                    j.segment.remove(j); // written again: its newest record is here now
                }
                live.add(j);
            }
            failure = null;
            return true;
        } catch (IOException e) {
            writeFailed("write", e);
            return false;
        } finally {
            buffer.clear();
            sizeChanged();
        }
    }

    private void sizeChanged() {
        bytes = store.bytes();
        meters.bytes(bytes);
    }

    private void forceLocked() throws IOException {
        long start = System.nanoTime();
        store.force();
        meters.fsynced(System.nanoTime() - start);
        dirty = false;
        failure = null;
    }

    private void writeFailed(String what, IOException e) {
        meters.writeFailed();
        failure = "journal " + what + " failed: " + e.getMessage();
        WRITE_FAILURES.error("journal " + settings.directory() + ": {}; the requests it concerned were answered '!'",
                what + " failed: " + e.getMessage());
    }

    private void unlink(JournaledJob j) {
        LiveSegment s = j.segment;
        if (s == null) {
            return;
        }
        s.remove(j);
        if (s.live() == 0 && s.sequence != store.activeSegment()) {
            deleteSegment(s.sequence);
        }
    }

    /**
     * After a write that made the store roll to a new segment: writes the live jobs of every older
     * segment again into the new one, makes that durable, and deletes the old files. A job stuck
     * for hours then costs one record per segment's worth of traffic, not a segment each.
     */
    private void compactIfRolled() {
        long now = store.activeSegment();
        if (now == activeSegment) {
            return;
        }
        activeSegment = now;
        List<JournaledJob> stillLive = new ArrayList<>();
        for (LiveSegment s : segments.headMap(now).values()) {
            for (JournaledJob j = s.first(); j != null; j = j.next) {
                stillLive.add(j);
            }
        }
        try {
            writeAgain(stillLive);
            activeSegment = store.activeSegment(); // writing them may have rolled once more: that roll needs no compaction
            if (settings.fsync() != FsyncPolicy.NO) {
                forceLocked(); // the new copies must outlive the old files
            }
            deleteClosedSegments();
        } catch (IOException e) {
            writeFailed("write", e); // the old segments stay until the next roll
        }
    }

    /** Appends an admission record for each job and links it to the segment that holds it. */
    private void writeAgain(List<JournaledJob> jobs) throws IOException {
        List<JournaledJob> inBuffer = new ArrayList<>();
        for (JournaledJob j : jobs) {
            Job job = j.job;
            if (JournalRecords.admittedSize(job.service(), job.qual()) > lockedBuffer.remaining()) {
                appendOrThrow(inBuffer);
            }
            JournalRecords.putAdmitted(lockedBuffer, lockedCrc, job.id(), job.attempt(), job.service(), job.qual());
            inBuffer.add(j);
        }
        appendOrThrow(inBuffer);
    }

    private void appendOrThrow(List<JournaledJob> inBuffer) throws IOException {
        boolean ok = appendLocked(lockedBuffer, inBuffer);
        inBuffer.clear();
        if (!ok) {
            throw new IOException(failure);
        }
    }

    /** Deletes every segment file but the active one that holds no live job. */
    private void deleteClosedSegments() {
        for (long s : store.segments()) {
            LiveSegment live = segments.get(s);
            if (s != store.activeSegment() && (live == null || live.live() == 0)) {
                deleteSegment(s);
            }
        }
    }

    private void deleteSegment(long sequence) {
        try {
            store.delete(sequence);
            segments.remove(sequence);
        } catch (IOException e) {
            log.warn("journal {}: could not delete segment {} (all its jobs are over): {}",
                    settings.directory(), sequence, e.toString());
        } finally {
            sizeChanged();
        }
    }

    // ---------------------------------------------------------------- the sync thread

    /**
     * Writes completions every {@link #COMPLETIONS_INTERVAL_NANOS} and fsyncs about once a second
     * (with {@code --fsync always} that covers only completions, whose loss costs a second run).
     */
    private void sync() {
        long lastFsync = System.nanoTime();
        while (!closing) {
            LockSupport.parkNanos(this, COMPLETIONS_INTERVAL_NANOS);
            if (closing) {
                return;
            }
            synchronized (lock) {
                if (closed) {
                    return;
                }
                writeCompletionsLocked();
                long now = System.nanoTime();
                if (settings.fsync() != FsyncPolicy.NO && dirty && now - lastFsync >= FSYNC_INTERVAL_NANOS) {
                    lastFsync = now;
                    try {
                        forceLocked();
                    } catch (IOException e) {
                        writeFailed("fsync", e);
                    }
                }
            }
        }
    }

    private void writeCompletionsLocked() {
        while (!completions.isEmpty()) {
            takeCompletions(lockedBuffer, lockedCrc);
            if (!flushLocked()) {
                return;
            }
            compactIfRolled();
        }
    }

    // ---------------------------------------------------------------- the rest of the seam

    @Override
    public boolean nearlyFull() {
        return executor.nearlyFull();
    }

    @Override
    public void callWhenRoom(Runnable onRoom) {
        executor.callWhenRoom(onRoom);
    }

    @Override
    public int queued() {
        return executor.queued();
    }

    @Override
    public int running() {
        return executor.running();
    }

    @Override
    public String unhealthy() {
        return failure;
    }

    @Override
    public void stopAdmitting() {
        executor.stopAdmitting();
    }

    /** As the executor's drain, but what it cuts off, and the recovered jobs never fed, stay in the journal. */
    @Override
    public DrainReport drain(Duration deadline) throws InterruptedException {
        DrainReport report = executor.drain(deadline);
        List<DrainReport.CutOff> kept = new ArrayList<>(report.cutOff());
        if (feeder != null) {
            feeder.interrupt();
            feeder.join(TimeUnit.SECONDS.toMillis(1));
            for (JournaledJob j : recovered.subList(fed, recovered.size())) {
                kept.add(new DrainReport.CutOff(j.job, false));
            }
        }
        return new DrainReport(List.copyOf(kept), true);
    }

    /** Writes the last completions, fsyncs whatever the policy (a clean stop leaves a synced journal), and unlocks. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        executor.close();
        closing = true;
        if (feeder != null) {
            feeder.interrupt();
        }
        if (syncer != null) {
            LockSupport.unpark(syncer);
        }
        synchronized (lock) {
            if (store == null) {
                return;
            }
            if (completions != null) {
                writeCompletionsLocked();
            }
            try {
                forceLocked();
            } catch (IOException e) {
                writeFailed("fsync", e);
            }
            closed = true;
            closeStoreQuietly();
        }
    }

    private void closeStoreQuietly() {
        try {
            store.close();
        } catch (IOException e) {
            log.warn("journal {}: closing failed: {}", settings.directory(), e.toString());
        }
    }
}
