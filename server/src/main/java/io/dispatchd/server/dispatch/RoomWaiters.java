package io.dispatchd.server.dispatch;

import io.dispatchd.server.executor.JobAdmission;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connections of one event loop that stopped reading because the admission is nearly full.
 * The admission holds one callback per event loop, not one per connection: when room comes back,
 * the worker that made it hands one task to each waiting event loop, which resumes its own
 * connections, unless by then the queue is nearly full again, in which case they wait for the
 * next room. However many connections wait, a worker does at most {@code --io-threads}
 * hand-offs, and a connection that closes only leaves this set.
 *
 * <p>Everything but the admission's callback runs on the event loop.
 */
final class RoomWaiters {

    private final JobAdmission admission;
    private final Executor loop;
    /** Each waiting connection's way back to reading, in the order they began to wait. */
    private final Set<Runnable> waiting = new LinkedHashSet<>();
    private final Runnable onRoom = this::onRoomFromAnyThread;
    private final Runnable resumeAll = this::resumeAll;
    /** The admission holds {@code onRoom}: registered once at a time, however many wait. */
    private boolean registered;

    RoomWaiters(JobAdmission admission, Executor loop) {
        this.admission = admission;
        this.loop = loop;
    }

    /** {@code resume} runs once, on the event loop, when the admission has room again. */
    void add(Runnable resume) {
        waiting.add(resume);
        if (!registered) {
            registered = true;
            admission.callWhenRoom(onRoom);
        }
    }

    /** No longer waiting: resumed by its deadline, or closed. */
    void remove(Runnable resume) {
        waiting.remove(resume);
    }

    /** How many connections of this event loop wait. */
    int waiting() {
        return waiting.size();
    }

    private void onRoomFromAnyThread() {
        try {
            loop.execute(resumeAll);
        } catch (RejectedExecutionException e) {
            // the event loop has shut down, and its connections with it
        }
    }

    private void resumeAll() {
        registered = false;
        if (waiting.isEmpty()) {
            return;
        }
        if (admission.nearlyFull()) {
            // The room this task was sent for is taken again: between the worker's call and this
            // task, a connection of this loop read and filled the queue (and, if it began to wait,
            // found the callback spent). Resuming now would let every waiter read into a nearly
            // full queue; wait for the next room instead.
            registered = true;
            admission.callWhenRoom(onRoom);
            return;
        }
        Runnable[] now = waiting.toArray(new Runnable[0]);
        waiting.clear();
        for (Runnable resume : now) {
            resume.run();
        }
    }
}
