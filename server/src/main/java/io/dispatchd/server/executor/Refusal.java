package io.dispatchd.server.executor;

/** Why a job was not admitted. Every one is answered {@code !}: retry later. */
public enum Refusal {
    /** Every worker is busy and the queue is at capacity. */
    QUEUE_FULL,
    /** The server is draining for shutdown and takes no new work. */
    DRAINING,
    /** The journal could not keep the job: full ({@code --journal-max-bytes}) or failing to write. */
    JOURNAL_UNAVAILABLE,
    /** The Kafka producer could not take the job, or the brokers did not acknowledge it in time. */
    BROKER_UNAVAILABLE
}
