package io.dispatchd.server.executor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A ticket that records what it heard, in order, for tests of any {@link JobAdmission}. */
public final class RecordingTicket implements JobTicket {

    /** "admitted", "refused WHY", "finished OUTCOME", as heard. */
    public final List<String> heard = Collections.synchronizedList(new ArrayList<>());
    /** Completes with the outcome the job finished with. */
    public final CompletableFuture<JobOutcome> outcome = new CompletableFuture<>();

    @Override
    public void admitted() {
        heard.add("admitted");
    }

    @Override
    public void refused(Refusal why) {
        heard.add("refused " + why);
    }

    @Override
    public void finished(JobOutcome o, long runNanos) {
        heard.add("finished " + o);
        outcome.complete(o);
    }
}
