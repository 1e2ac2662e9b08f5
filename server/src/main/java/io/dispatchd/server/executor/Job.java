package io.dispatchd.server.executor;

/**
 * One unit of work as it crosses from the pipeline to whatever runs it: a plain value that can be
 * written to a journal or a broker and read back. The execution side resolves {@code service} to a
 * {@link io.dispatchd.server.service.Service} only when the job starts.
 *
 * @param id      unique within a journal's lifetime ({@link JobIds}); a job run again keeps its id
 * @param service the lower-case service key
 * @param qual    the request's argument, opaque
 * @param attempt 1 on first admission, one more each time a job is run again after a crash
 */
public record Job(long id, String service, String qual, int attempt) {

    /** The same job, to be run once more. */
    public Job nextAttempt() {
        return new Job(id, service, qual, attempt + 1);
    }

    @Override
    public String toString() {
        return "service=" + service + " qual=" + qual + " id=" + id + (attempt > 1 ? " attempt=" + attempt : "");
    }
}
