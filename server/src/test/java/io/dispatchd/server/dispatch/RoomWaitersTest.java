package io.dispatchd.server.dispatch;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import static org.assertj.core.api.Assertions.assertThat;

/** One callback per event loop, however many of its connections wait for room. */
class RoomWaitersTest {

    private final ScriptedAdmission admission = new ScriptedAdmission();
    /** The event loop: tasks run when the test says. */
    private final Queue<Runnable> loopTasks = new ArrayDeque<>();
    private final RoomWaiters waiters = new RoomWaiters(admission, loopTasks::add);
    private final List<String> resumed = new ArrayList<>();

    private Runnable connection(String name) {
        return () -> resumed.add(name);
    }

    private void runLoop() {
        Runnable task;
        while ((task = loopTasks.poll()) != null) {
            task.run();
        }
    }

    @Test
    void manyWaitingConnectionsHoldOneCallbackAndAllResumeOnTheLoopInOrder() {
        Runnable a = connection("a");
        Runnable b = connection("b");
        Runnable c = connection("c");
        waiters.add(a);
        waiters.add(b);
        waiters.add(c);
        assertThat(admission.waitingForRoom).as("one callback for the loop").hasSize(1);

        admission.roomAgain(); // from a worker: only hands a task to the loop
        assertThat(resumed).isEmpty();
        runLoop();
        assertThat(resumed).containsExactly("a", "b", "c");
        assertThat(waiters.waiting()).isZero();
    }

    @Test
    void aConnectionThatStoppedWaitingIsNotResumed() {
        Runnable a = connection("a");
        Runnable b = connection("b");
        waiters.add(a);
        waiters.add(b);
        waiters.remove(a); // its deadline passed, or it closed
        admission.roomAgain();
        runLoop();
        assertThat(resumed).containsExactly("b");
    }

    @Test
    void afterRoomCameBackTheNextWaiterRegistersAgain() {
        waiters.add(connection("a"));
        admission.roomAgain();
        runLoop();
        assertThat(admission.waitingForRoom).isEmpty();

        waiters.add(connection("b"));
        assertThat(admission.waitingForRoom).hasSize(1);
        admission.roomAgain();
        runLoop();
        assertThat(resumed).containsExactly("a", "b");
    }

    @Test
    void roomTakenAgainBeforeTheLoopGetsToItResumesNobodyAndWaitsForTheNextRoom() {
        waiters.add(connection("a"));
        admission.roomAgain(); // a worker made room: a task is handed to the loop
        admission.nearlyFull = true; // before it runs, another connection of the loop fills the queue
        waiters.add(connection("b")); // and waits too, on the callback already spent
        runLoop();
        assertThat(resumed).as("no connection reads into a nearly full queue").isEmpty();
        assertThat(admission.waitingForRoom).as("registered anew").hasSize(1);

        admission.nearlyFull = false;
        admission.roomAgain();
        runLoop();
        assertThat(resumed).containsExactly("a", "b");
    }

    @Test
    void aConnectionThatWaitsAgainWhileBeingResumedIsKeptForNextTime() {
        List<Runnable> self = new ArrayList<>();
        Runnable again = () -> {
            resumed.add("again");
            if (resumed.size() == 1) {
                waiters.add(self.get(0)); // read, found the queue nearly full again, waits again
            }
        };
        self.add(again);
        waiters.add(again);
        admission.roomAgain();
        runLoop();
        assertThat(waiters.waiting()).isEqualTo(1);
        assertThat(admission.waitingForRoom).as("registered anew").hasSize(1);
        admission.roomAgain();
        runLoop();
        assertThat(resumed).containsExactly("again", "again");
    }
}
