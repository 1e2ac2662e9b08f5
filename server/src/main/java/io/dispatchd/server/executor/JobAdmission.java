package io.dispatchd.server.executor;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Where a request becomes a job: the one seam between the pipeline and whatever holds and runs the
 * work — memory only ({@link BoundedJobExecutor}), a local journal in front of it, or a broker.
 * Nothing here assumes admission is immediate or that the job runs in this process.
 *
 * <p>Lifecycle: {@link #start} once before the first offer; at shutdown {@link #stopAdmitting}
 * (from then on every offer is refused {@link Refusal#DRAINING}), {@link #drain}, {@link #close}.
 */
public interface JobAdmission extends AutoCloseable {

    /**
     * Gets ready to take jobs: starts workers and, for an admission that keeps jobs across runs,
     * takes back the jobs an earlier run admitted and did not finish.
     *
     * @throws IllegalStateException with a one-line reason the server prints when it cannot start
     */
    void start();

    /**
     * Offers a job. Never blocks. The ticket hears exactly one of {@link JobTicket#admitted()} or
     * {@link JobTicket#refused(Refusal)}, possibly before this method returns; an admitted job
     * later reports {@link JobTicket#finished(JobOutcome, long)} exactly once, on any thread, and
     * possibly before {@code admitted()} has returned.
     */
    void offer(Job job, JobTicket ticket);

    /**
     * {@link #offer} from a thread that works in batches (a Netty event loop handling every ready
     * connection in one pass): work the admission would do at once for each job, such as waking a
     * worker or writing a journal record, may instead be done once for the batch by a task
     * submitted to {@code afterBatch}, which that thread runs after its current batch; the ticket
     * then hears by the end of that task. The default is {@link #offer}.
     */
    default void offer(Job job, JobTicket ticket, Executor afterBatch) {
        offer(job, ticket);
    }

    /**
     * Whether the admission is close to refusing jobs (its queue over three quarters full). A
     * caller that can hold off, such as a connection that can stop reading, should, until
     * {@link #callWhenRoom} calls it back: pushing back on the clients beats refusing them when the
     * shortage is a burst. The default is never.
     */
    default boolean nearlyFull() {
        return false;
    }

    /**
     * Runs {@code onRoom} once, on any thread, when the admission has had room again since this
     * call (at once, on this thread, if it has room now); by the time it runs, the room may be
     * taken again. Room again may mean more than not {@link #nearlyFull()}: the queue half empty.
     * The admission holds {@code onRoom} until then, so a caller registers one at a time.
     */
    default void callWhenRoom(Runnable onRoom) {
        onRoom.run();
    }

    /**
     * Why the admission cannot take jobs right now (a journal whose writes fail), for
     * {@code /health}; {@code null} while it can. The default is always able.
     */
    default String unhealthy() {
        return null;
    }

    /** Jobs admitted but not yet started. */
    int queued();

    /** Jobs running now. */
    int running();

    /** From now on every offer is refused with {@link Refusal#DRAINING}; admitted jobs still run. */
    void stopAdmitting();

    /**
     * Stops admitting, waits up to {@code deadline} for admitted jobs to finish, then cuts off the
     * rest: each is reported {@link JobOutcome#ABANDONED} to its ticket and listed in the report.
     */
    DrainReport drain(Duration deadline) throws InterruptedException;

    /** Releases threads and files; after {@link #drain}. Idempotent. */
    @Override
    void close();
}
