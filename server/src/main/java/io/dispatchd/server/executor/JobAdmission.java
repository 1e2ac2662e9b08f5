package io.dispatchd.server.executor;

import io.dispatchd.server.service.Service;

import java.util.concurrent.Executor;

/**
 * Where a request becomes a job: the one seam between the pipeline and whatever holds the work.
 * Today a bounded in-memory executor ({@link BoundedJobExecutor}); later a durable journal or a
 * distributed queue can take its place without the pipeline changing, because nothing here
 * assumes admission is immediate or that the job runs in this process.
 */
public interface JobAdmission {

    /**
     * Offers a job. Never blocks. The ticket hears exactly one of {@link JobTicket#admitted()} or
     * {@link JobTicket#refused(Refusal)}, possibly before this method returns; an admitted job
     * later reports {@link JobTicket#finished(JobOutcome, long)} exactly once, on any thread, and possibly
     * before {@code admitted()} has returned.
     */
    void offer(Service service, String qual, JobTicket ticket);

    /**
     * {@link #offer} from a thread that works in batches (a Netty event loop handling every ready
     * connection in one pass): work the admission would do at once for each job, such as waking
     * a worker, may instead be done once by a task submitted to {@code afterBatch}, which that
     * thread runs after its current batch. The default is {@link #offer}.
     */
    default void offer(Service service, String qual, JobTicket ticket, Executor afterBatch) {
        offer(service, qual, ticket);
    }

    /**
     * Whether the admission is close to refusing jobs ({@link BoundedJobExecutor}: its queue is
     * over three quarters full). A caller that can hold off, such as a connection that can stop
     * reading, should, until {@link #callWhenRoom} calls it back: pushing back on the clients
     * beats refusing them when the shortage is a burst. The default is never.
     */
    default boolean nearlyFull() {
        return false;
    }

    /**
     * Runs {@code onRoom} once, on any thread, when the admission has had room again since this
     * call (at once, on this thread, if it has room now); by the time it runs, the room may be
     * taken again. Room again may mean more than not {@link #nearlyFull()}:
     * {@link BoundedJobExecutor} waits until its queue is half empty. The admission holds
     * {@code onRoom} until then, so a caller registers one at a time.
     */
    default void callWhenRoom(Runnable onRoom) {
        onRoom.run();
    }

    /** Jobs admitted but not yet started. */
    int queued();

    /** Jobs running now. */
    int running();
}
