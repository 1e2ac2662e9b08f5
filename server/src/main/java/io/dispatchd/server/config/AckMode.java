package io.dispatchd.server.config;

/** When a request's ack is written. */
public enum AckMode {
    /** When the job is admitted to the worker queue: {@code +} or {@code !}. Fire-and-forget: the default. */
    ACCEPT,
    /** When the job's engine has finished: {@code +} if it succeeded, {@code -} if it threw or timed out. */
    COMPLETE
}
