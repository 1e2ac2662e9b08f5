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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.CRC32C;

/**
 * A {@link JobAdmission} that writes every job to the journal before admitting it to a
 * {@link BoundedJobExecutor}, so that a job acked {@code +} survives {@code kill -9}: at the next
 * start every job admitted and not completed runs again (at-least-once, attempt + 1).
 *
 * <p><b>The request path.</b> An offer reserves a place in the executor, encodes an admission
 * record into its event loop's batch buffer and leaves the rest to a task that runs once after the
 * loop's pass: one {@code write} for every request of the pass (with {@code --fsync always}, one
 * fsync too), and only then are the jobs queued and their tickets told. No syscall and no buffer
 * per request; a failed write answers {@code !} to the requests of that write only. Past
 * {@code --journal-max-bytes} new jobs are refused. The files themselves are the
 * {@link JournalWriter}'s.
 */
public final class JournaledAdmission implements JobAdmission {

    private static final Logger log = LoggerFactory.getLogger(JournaledAdmission.class);
    private static final RateLimitedLog FULL = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private static final Executor DIRECT = Runnable::run;
    /** A drain's cut-off jobs stay in the journal. */
    public static final String KEPT = "kept in the journal to run at the next start";
    /** An event loop's batch buffer: far more than a pass reads, so one write per pass. */
    private static final int BATCH_BYTES = 256 * 1024;

    private final JournalSettings settings;
    private final BoundedJobExecutor executor;
    private final int maxLiveJobs;
    private final JobIds ids;
    private final JournalMeters meters;
    /** A service's meters by key, to count the jobs recovered: {@code null} for a service gone since. */
    private final Function<String, ServiceMeters> serviceMeters;
    private final int batchBytes;
    private final JournalWriter writer;
    private final ThreadLocal<Batch> batches;

    private volatile boolean closing;
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
        this(settings, executor, maxLiveJobs, maxLineBytes, ids, meters, serviceMeters, ChannelOpener.REAL);
    }

    /** As above, with segment files opened through {@code opener}: the tests' seam. */
    JournaledAdmission(JournalSettings settings, BoundedJobExecutor executor, int maxLiveJobs,
                       int maxLineBytes, JobIds ids, JournalMeters meters,
                       Function<String, ServiceMeters> serviceMeters, ChannelOpener opener) {
        this.settings = settings;
        this.executor = executor;
        this.maxLiveJobs = maxLiveJobs;
        this.ids = ids;
        this.meters = meters;
        this.serviceMeters = serviceMeters;
        // A line of --max-line bytes is a record of at most that plus its fields; room for completions too.
        this.batchBytes = Math.max(BATCH_BYTES, JournalRecords.admittedSize("", "") + JournalRecords.MAX_SERVICE
                + maxLineBytes + JournalRecords.COMPLETED_SIZE);
        this.writer = new JournalWriter(settings, meters, batchBytes, opener);
        this.batches = ThreadLocal.withInitial(Batch::new);
    }

    // ---------------------------------------------------------------- start: recovery

    /**
     * Locks the directory, recovers, writes every job that is to run again into the newest segment
     * (its attempt one higher) and deletes the older segments, then starts the executor and a
     * thread that feeds the recovered jobs to it as it has room.
     */
    @Override
    public void start() {
        JournalWriter.Recovery found;
        try {
            found = writer.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open journal " + settings.directory() + ": " + e.getMessage(), e);
        } catch (JournalLockedException | JournalCorruptException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        ids.advancePast(found.maxId());
        List<JournaledJob> again = new ArrayList<>(found.live().size());
        for (JournalRecord.Admitted a : found.live()) {
            Job job = new Job(a.id(), a.service(), a.qual(), a.attempt()).nextAttempt();
            again.add(new JournaledJob(job, new RecoveredTicket(job), writer));
        }
        try {
            writer.startWith(again, maxLiveJobs);
        } catch (IOException e) {
            writer.abandon(); // close(), which the server calls next, must not touch the closed store
            throw new IllegalStateException("cannot write journal " + settings.directory()
                    + " after recovery: " + e.getMessage(), e);
        }
        log.info("journal {}: {} jobs admitted and not completed before will run again (fsync {}, {} bytes)",
                settings.directory(), again.size(), settings.fsync().name().toLowerCase(Locale.ROOT), writer.bytes());
        meters.recovered(again.size());
        recovered = again;
        executor.start();
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
        if (refusal == null && writer.bytes() >= settings.maxBytes()) {
            executor.unreserve();
            FULL.warn("journal is full ({} bytes, --journal-max-bytes): answering '!'", writer.bytes());
            refusal = Refusal.JOURNAL_UNAVAILABLE;
        }
        if (refusal != null) {
            ticket.refused(refusal);
            return;
        }
        Batch batch = batches.get();
        if (JournalRecords.admittedSize(job.service(), job.qual()) > batch.buffer.remaining()) {
            batch.write(); // a full buffer goes out now; its jobs wait for the end of the pass like the rest
        }
        JournalRecords.putAdmitted(batch.buffer, batch.crc, job.id(), job.attempt(), job.service(), job.qual());
        batch.encoded.add(new JournaledJob(job, ticket, writer));
        if (!batch.scheduled) {
            batch.scheduled = true;
            batch.afterBatch = afterBatch;
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
        /** Where the end of the pass runs; the wake-up for the jobs admitted there is left to it too. */
        Executor afterBatch;

        /** Writes what is encoded, with whatever completions fit beside it. */
        void write() {
            if (encoded.isEmpty()) {
                return;
            }
            (writer.write(buffer, crc, encoded) ? written : failed).addAll(encoded);
            encoded.clear();
        }

        /** The end of the pass. */
        @Override
        public void run() {
            scheduled = false;
            write();
            if (settings.fsync() == FsyncPolicy.ALWAYS && !written.isEmpty() && !writer.forceOrCancel(written)) {
                failed.addAll(written);
                written.clear();
            }
            for (JournaledJob j : failed) {
                executor.unreserve();
                j.caller.refused(Refusal.JOURNAL_UNAVAILABLE);
            }
            for (JournaledJob j : written) {
                executor.admitReserved(j.job, j, afterBatch); // acks first, the worker's wake-up after them
            }
            failed.clear();
            written.clear();
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
        return writer.failure();
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
        return new DrainReport(List.copyOf(kept), KEPT);
    }

    /** Stops the executor, then writes the last completions, fsyncs and unlocks the directory. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        executor.close();
        if (feeder != null) {
            feeder.interrupt();
        }
        writer.close();
    }
}
