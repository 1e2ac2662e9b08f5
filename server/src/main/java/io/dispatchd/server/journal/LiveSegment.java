package io.dispatchd.server.journal;

/**
 * A segment file as the journal sees it while running: the jobs whose newest admission record it
 * holds and that are not over yet. Once a segment that no longer takes appends has none, its file
 * can go. Every field belongs to the journal's lock.
 */
final class LiveSegment {

    final long sequence;
    private JournaledJob head;
    private int live;

    LiveSegment(long sequence) {
        this.sequence = sequence;
    }

    void add(JournaledJob job) {
        job.segment = this;
        job.prev = null;
        job.next = head;
        if (head != null) {
            head.prev = job;
        }
        head = job;
        live++;
    }

    void remove(JournaledJob job) {
        if (job.prev != null) {
            job.prev.next = job.next;
        } else {
            head = job.next;
        }
        if (job.next != null) {
            job.next.prev = job.prev;
        }
        job.segment = null;
        job.prev = null;
        job.next = null;
        live--;
    }

    /** The first live job, or {@code null}; follow {@link JournaledJob#next}. */
    JournaledJob first() {
        return head;
    }

    int live() {
        return live;
    }
}
