package io.dispatchd.server.journal;

import java.nio.file.Path;

/** Run in a child JVM: tries to open the journal directory given as argument and prints what happened. */
public final class LockProbe {

    public static void main(String[] args) throws Exception {
        try (JournalStore store = JournalStore.open(Path.of(args[0]), 1 << 20, recovered -> { })) {
            System.out.println("OPENED");
        } catch (JournalLockedException e) {
            System.out.println("LOCKED " + e.getMessage());
        }
    }
}
