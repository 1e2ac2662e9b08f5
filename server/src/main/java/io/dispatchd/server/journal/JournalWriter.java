package io.dispatchd.server.journal;

import io.dispatchd.server.config.FsyncPolicy;
import io.dispatchd.server.executor.Job;
import io.dispatchd.server.metrics.JournalMeters;
import io.dispatchd.server.pipeline.RateLimitedLog;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * The journal's files while the server runs: which jobs each segment still holds, when a segment
 * can go, completions, fsyncs, and the thread that writes them when no request does. Callers hand
 * it buffers of encoded admission records ({@link #write}); one lock guards the store and the
 * segments' live lists, and a writer holds it for one write.
 *
 * <p><b>Completions</b> go from the workers through a bounded lock-free queue and are written by
 * whoever writes next: the next batch of an event loop, or the sync thread within 100 ms. A
 * completion lost in a crash only means the job runs once more.
 *
 * <p><b>Disk.</b> A segment file goes once every job whose newest admission record it holds is
 * over. So that one stuck job cannot pin a chain of segments, each time the store rolls to a new
 * segment the live jobs of the older ones are written again into the new one (what beanstalkd's
 * binlog does), made durable, and the old files go: the journal holds about one segment plus the
 * live jobs.
 *
 * <p><b>Failures.</b> A failed write or fsync is reported by {@link #failure()} until a write (for
 * a failed write) or an fsync (for a failed fsync) succeeds again.
 */
final class JournalWriter {

    private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);
    private static final RateLimitedLog FAILURES = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    /**
     * How often completions are written when no request comes to carry them: soon, since each one
     * not written when the process dies is a job that runs twice.
     */
    private static final long COMPLETIONS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How often the journal is fsynced with {@code --fsync everysec}. */
    private static final long FSYNC_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final JournalSettings settings;
    private final JournalMeters meters;
    private final ChannelOpener opener;

    private final Object lock = new Object();
    private JournalStore store;
    private final TreeMap<Long, LiveSegment> segments = new TreeMap<>();
    /** The segment appends went to last: a different one after a write means the store rolled. */
    private long lastSegment;
    /** Appended since the last fsync. */
    private boolean dirty;
    private boolean closed;
    /** The lock holder's own buffer: completions from the sync thread, jobs written again. */
    private ByteBuffer lockedBuffer;
    private final CRC32C lockedCrc = new CRC32C();

    private MpscArrayQueue<JournaledJob> completions;
    private volatile long bytes;
    private volatile String writeFailure;
    private volatile String fsyncFailure;
    private volatile boolean stopping;
    private Thread syncer;

    JournalWriter(JournalSettings settings, JournalMeters meters, int bufferBytes, ChannelOpener opener) {
        this.settings = settings;
        this.meters = meters;
        this.opener = opener;
        this.lockedBuffer = ByteBuffer.allocateDirect(bufferBytes);
    }

    /**
     * Locks the directory and recovers it: the admission record of every job admitted and not
     * completed, in journal order, and the highest id seen.
     */
    Recovery open() throws IOException, JournalLockedException, JournalCorruptException {
        Map<Long, JournalRecord.Admitted> live = new LinkedHashMap<>();
        long[] maxId = {0};
        JournalStore opened = JournalStore.open(settings.directory(), settings.segmentBytes(), r -> {
            maxId[0] = Math.max(maxId[0], r.record().id());
            if (r.record() instanceof JournalRecord.Admitted a) {
                live.remove(a.id()); // a job written again after a roll: its newest record counts
                live.put(a.id(), a);
            } else {
                live.remove(r.record().id());
            }
        }, opener);
        synchronized (lock) {
            store = opened;
            lastSegment = store.activeSegment();
            sizeChanged();
        }
        return new Recovery(List.copyOf(live.values()), maxId[0]);
    }

    /** What {@link #open} found. */
    record Recovery(List<JournalRecord.Admitted> live, long maxId) {
    }

    /**
     * Writes the jobs that are to run again into the newest segment, fsyncs, deletes every older
     * segment, and readies the completion queue for {@code maxLiveJobs} jobs at once.
     */
    void startWith(List<JournaledJob> again, int maxLiveJobs) throws IOException {
        synchronized (lock) {
            writeAgain(again);
            forceLocked();
            deleteClosedSegments();
        }
        completions = new MpscArrayQueue<>(Math.max(2, maxLiveJobs + again.size()));
        syncer = new Thread(this::sync, "dispatchd-journal-sync");
        syncer.setDaemon(true);
        syncer.start();
    }

    long bytes() {
        return bytes;
    }

    /** Why writes or fsyncs fail right now; {@code null} while they succeed. */
    String failure() {
        String w = writeFailure;
        return w != null ? w : fsyncFailure;
    }

    /**
     * Appends {@code buffer} (from 0 to its position), with whatever completions fit after its
     * records, and links {@code jobs}, whose admission records it holds, to their segment. False
     * if the write failed: then none of its records is in the journal. The buffer is cleared.
     */
    boolean write(ByteBuffer buffer, CRC32C crc, List<JournaledJob> jobs) {
        synchronized (lock) {
            takeCompletions(buffer, crc);
            boolean written = appendLocked(buffer, jobs);
            compactIfRolled();
            return written;
        }
    }

    /**
     * {@code --fsync always}: makes {@code written} durable before their acks leave. If the fsync
     * fails they are recorded as over, so that they do not run at the next start either (best
     * effort: a disk whose fsync fails may have lost what it was given), and false is returned:
     * the caller answers them {@code !}.
     */
    boolean forceOrCancel(List<JournaledJob> written) {
        synchronized (lock) {
            if (!dirty) {
                return true; // another thread's fsync covered these records
            }
            try {
                forceLocked();
                return true;
            } catch (IOException e) {
                failed("fsync", e);
                for (JournaledJob j : written) {
                    completeLocked(j);
                }
                flushLocked();
                return false;
            }
        }
    }

    /** A job is over (not cut off by a drain): its record need not run again. Any thread. */
    void completed(JournaledJob job) {
        if (!completions.offer(job)) {
            // Cannot happen (the queue holds every job that can be live), but never lose it.
            synchronized (lock) {
                completeLocked(job);
                flushLocked();
            }
        }
    }

    /** Writes the last completions, fsyncs whatever the policy (a clean stop leaves a synced journal), and unlocks. */
    void close() {
        stopping = true;
        if (syncer != null) {
            LockSupport.unpark(syncer);
        }
        synchronized (lock) {
            if (store == null || closed) {
                return;
            }
            writeCompletionsLocked();
            try {
                forceLocked();
            } catch (IOException e) {
                failed("fsync", e);
            }
            closeLocked();
        }
    }

    /** Closes the store without writing anything more: after a start that failed. */
    void abandon() {
        synchronized (lock) {
            if (store != null && !closed) {
                closeLocked();
            }
        }
    }

    private void closeLocked() {
        closed = true;
        try {
            store.close();
        } catch (IOException e) {
            log.warn("journal {}: closing failed: {}", settings.directory(), e.toString());
        }
    }

    // ---------------------------------------------------------------- under the lock

    /**
     * Moves completions from the queue into {@code buffer} while they fit: unlinks each job from its
     * segment (which may let the segment go) and encodes its completion record.
     */
    private void takeCompletions(ByteBuffer buffer, CRC32C crc) {
        if (completions == null) {
            return;
        }
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

    private void writeCompletionsLocked() {
        do {
            takeCompletions(lockedBuffer, lockedCrc);
            if (!flushLocked()) {
                return;
            }
            compactIfRolled();
        } while (completions != null && !completions.isEmpty());
    }

    /**
     * Appends {@code buffer} (from 0 to its position) and links {@code jobs}, whose admission
     * records it holds, to the segment it went into. On a failure none of its records is in the
     * journal. The buffer is cleared either way.
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
            writeFailure = null;
            return true;
        } catch (IOException e) {
            failed("write", e);
            return false;
        } finally {
            buffer.clear();
            sizeChanged();
        }
    }

    private void forceLocked() throws IOException {
        long start = System.nanoTime();
        store.force();
        meters.fsynced(System.nanoTime() - start);
        dirty = false;
        fsyncFailure = null;
    }

    private void failed(String what, IOException e) {
        meters.writeFailed();
        String why = "journal " + what + " failed: " + e.getMessage();
        if (what.equals("fsync")) {
            fsyncFailure = why;
        } else {
            writeFailure = why;
        }
        FAILURES.error("journal " + settings.directory() + ": {}; the requests it concerned were answered '!'", why);
    }

    private void sizeChanged() {
        bytes = store.bytes();
        meters.bytes(bytes);
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
     * segment again into the new one, fsyncs whatever the policy (the new copies must outlive the
     * old files), and deletes the old files. A job stuck for hours then costs one record per
     * segment's worth of traffic, not a segment each.
     */
    private void compactIfRolled() {
        if (store.activeSegment() == lastSegment) {
            return;
        }
        List<JournaledJob> stillLive = new ArrayList<>();
        for (LiveSegment s : segments.headMap(store.activeSegment()).values()) {
            for (JournaledJob j = s.first(); j != null; j = j.next) {
                stillLive.add(j);
            }
        }
        try {
            writeAgain(stillLive);
            forceLocked();
            deleteClosedSegments();
        } catch (IOException e) {
            failed("write", e); // the old segments stay until the next roll
        }
        lastSegment = store.activeSegment(); // writing them may have rolled once more: that roll needs no compaction
    }

    /** Appends an admission record for each job and links it to the segment that holds it. */
    private void writeAgain(List<JournaledJob> jobs) throws IOException {
        List<JournaledJob> inBuffer = new ArrayList<>();
        for (JournaledJob j : jobs) {
            Job job = j.job;
            int size = JournalRecords.admittedSize(job.service(), job.qual());
            if (size > lockedBuffer.remaining()) {
                appendOrThrow(inBuffer);
            }
            if (size > lockedBuffer.capacity()) {
                // A record from a run with a longer --max-line than this one's.
                lockedBuffer = ByteBuffer.allocateDirect(size);
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
            throw new IOException(writeFailure);
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
     * The fsync runs outside the lock, as Redis's everysec fsync runs beside its writes: an fsync
     * of a second's worth of records can take tens of milliseconds, and no event loop may wait.
     */
    private void sync() {
        long lastFsync = System.nanoTime();
        while (!stopping) {
            LockSupport.parkNanos(this, COMPLETIONS_INTERVAL_NANOS);
            JournalStore.Fsync fsync = null;
            synchronized (lock) {
                if (stopping || closed) {
                    return;
                }
                writeCompletionsLocked();
                long now = System.nanoTime();
                if (settings.fsync() != FsyncPolicy.NO && dirty && now - lastFsync >= FSYNC_INTERVAL_NANOS) {
                    lastFsync = now;
                    fsync = store.fsyncLater();
                    dirty = false; // a write from now on makes it dirty again, for the next fsync
                }
            }
            if (fsync != null) {
                fsyncOutsideLock(fsync);
            }
        }
    }

    private void fsyncOutsideLock(JournalStore.Fsync fsync) {
        long start = System.nanoTime();
        try {
            fsync.run();
            meters.fsynced(System.nanoTime() - start);
            fsyncFailure = null;
        } catch (ClosedChannelException e) {
            // the segment was sealed meanwhile, and sealing fsyncs it (or the journal is closing, which fsyncs too)
        } catch (IOException e) {
            synchronized (lock) {
                dirty = true;
                failed("fsync", e);
            }
        }
    }
}
