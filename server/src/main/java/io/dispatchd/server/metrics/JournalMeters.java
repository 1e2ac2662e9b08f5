package io.dispatchd.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The journal's meters:
 * <pre>
 *   dispatchd_journal_bytes                   gauge: bytes of the journal's segment files
 *   dispatchd_journal_fsync_seconds           histogram of fsync times
 *   dispatchd_jobs_recovered_total            jobs found admitted and not completed at start, run again
 *   dispatchd_journal_write_errors_total      failed writes and fsyncs
 * </pre>
 */
public final class JournalMeters {

    private final AtomicLong bytes;
    private final Timer fsync;
    private final Counter recovered;
    private final Counter writeErrors;

    JournalMeters(AtomicLong bytes, Timer fsync, Counter recovered, Counter writeErrors) {
        this.bytes = bytes;
        this.fsync = fsync;
        this.recovered = recovered;
        this.writeErrors = writeErrors;
    }

    public void bytes(long now) {
        bytes.set(now);
    }

    public void fsynced(long nanos) {
        fsync.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void recovered(int jobs) {
        recovered.increment(jobs);
    }

    public void writeFailed() {
        writeErrors.increment();
    }
}
