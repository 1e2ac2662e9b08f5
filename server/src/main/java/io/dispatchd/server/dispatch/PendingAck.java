package io.dispatchd.server.dispatch;

import io.dispatchd.protocol.Ack;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.executor.JobTicket;
import io.dispatchd.server.executor.Refusal;
import io.dispatchd.server.metrics.AckCounter;
import io.dispatchd.server.metrics.ServiceMeters;

import java.util.concurrent.RejectedExecutionException;

/**
 * One ack a connection owes, in its place in the connection's order. It is also the job's
 * {@link JobTicket}: the admission reports to it from any thread, and it carries the resulting
 * ack back to the connection's event loop, where {@link DispatchHandler} writes it in turn.
 */
final class PendingAck implements JobTicket, Runnable {

    private final DispatchHandler connection;
    /** Counts the ack when it is written. */
    final AckCounter counter;
    /** The service's meters, which count the job; {@code null} for an ack known without a job. */
    private final ServiceMeters meters;
    /** Written once, on the event loop, when the ack is known. */
    Ack ack;
    /** Handed from another thread to {@link #run} on the event loop; the task queue publishes it. */
    private Ack result;

    /** The ack for a job of the service these meters count. */
    PendingAck(DispatchHandler connection, ServiceMeters meters) {
        this(connection, meters, meters);
    }

    private PendingAck(DispatchHandler connection, AckCounter counter, ServiceMeters meters) {
        this.connection = connection;
        this.counter = counter;
        this.meters = meters;
    }

    /** An entry whose ack is already known (a bad request queued behind slower jobs). */
    static PendingAck resolved(DispatchHandler connection, AckCounter counter, Ack ack) {
        PendingAck p = new PendingAck(connection, counter, null);
        p.ack = ack;
        return p;
    }

    @Override
    public void admitted() {
        if (connection.ackOnAdmission()) {
            resolve(Ack.OK);
        }
    }

    @Override
    public void refused(Refusal why) {
        resolve(Ack.BUSY);
    }

    @Override
    public void finished(JobOutcome outcome, long runNanos) {
        meters.jobFinished(outcome, runNanos);
        if (!connection.ackOnAdmission()) {
            resolve(outcome.succeeded() ? Ack.OK : Ack.FAILED);
        }
    }

    private void resolve(Ack resolved) {
        if (connection.executor().inEventLoop()) {
            connection.ackReady(this, resolved);
        } else {
            result = resolved;
            try {
                connection.executor().execute(this);
            } catch (RejectedExecutionException e) {
                // the event loop is gone: the connection was torn down and nobody is left to ack
            }
        }
    }

    @Override
    public void run() {
        connection.ackReady(this, result);
    }
}
