package io.dispatchd.server.config;

/**
 * When the journal's records reach stable storage, with Redis's {@code appendfsync} meanings. In
 * every policy a record has been written to the OS before its {@code +} leaves, so {@code kill -9}
 * loses nothing; only a power loss or a kernel crash tells them apart.
 */
public enum FsyncPolicy {
    /** fsync before the acks of an event-loop pass leave: one fsync for every request of the pass. */
    ALWAYS,
    /** fsync about once a second, off the request path: a power loss may take the last second. */
    EVERYSEC,
    /** Never fsync; the OS writes back when it likes (on Linux within about 30 s). */
    NO
}
