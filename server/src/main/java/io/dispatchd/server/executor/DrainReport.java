package io.dispatchd.server.executor;

import java.util.List;

/**
 * What a drain left unfinished at its deadline.
 *
 * @param cutOff the jobs cut off, each with whether it had started
 * @param kept   whether they stay with the admission for the next start (a journal) rather than being lost
 */
public record DrainReport(List<CutOff> cutOff, boolean kept) {

    /** A job unfinished at the drain deadline. */
    public record CutOff(Job job, boolean started) {
    }

    public static DrainReport none() {
        return new DrainReport(List.of(), false);
    }
}
