package io.dispatchd.server.dispatch;

import io.dispatchd.server.executor.DrainReport;
import io.dispatchd.server.executor.Job;
import io.dispatchd.server.executor.JobAdmission;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.executor.JobTicket;
import io.dispatchd.server.executor.Refusal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An admission the test drives by hand: it admits or refuses, and the test finishes jobs in any order. */
final class ScriptedAdmission implements JobAdmission {

    record Offer(Job job, JobTicket ticket) {
        void finish(JobOutcome outcome) {
            ticket.finished(outcome, 1_000);
        }
    }

    final List<Offer> offers = new ArrayList<>();
    final List<Runnable> waitingForRoom = new ArrayList<>();
    Refusal refuseWith;
    boolean nearlyFull;

    @Override
    public void start() {
    }

    @Override
    public void offer(Job job, JobTicket ticket) {
        if (refuseWith != null) {
            ticket.refused(refuseWith);
            return;
        }
        offers.add(new Offer(job, ticket));
        ticket.admitted();
    }

    @Override
    public boolean nearlyFull() {
        return nearlyFull;
    }

    @Override
    public void callWhenRoom(Runnable onRoom) {
        waitingForRoom.add(onRoom);
    }

    /** Calls back everyone waiting for room, as a worker would. */
    void roomAgain() {
        List<Runnable> waiting = List.copyOf(waitingForRoom);
        waitingForRoom.clear();
        waiting.forEach(Runnable::run);
    }

    @Override
    public int queued() {
        return offers.size();
    }

    @Override
    public int running() {
        return 0;
    }

    @Override
    public void stopAdmitting() {
        refuseWith = Refusal.DRAINING;
    }

    @Override
    public DrainReport drain(Duration deadline) {
        stopAdmitting();
        return DrainReport.none();
    }

    @Override
    public void close() {
    }
}
