package io.dispatchd.server.executor;

import java.util.List;

/**
 * What a drain left unfinished at its deadline.
 *
 * @param cutOff the jobs cut off, each with whether it had started
 * @param fate   what becomes of them, for the log: "abandoned", "kept in the journal to run at the next start"…
 */
public record DrainReport(List<CutOff> cutOff, String fate) {

    public static final String ABANDONED = "abandoned";

    /** A job unfinished at the drain deadline. */
    public record CutOff(Job job, boolean started) {
    }

    public static DrainReport none() {
        return new DrainReport(List.of(), ABANDONED);
    }
}
