package io.dispatchd.server.config;

/**
 * {@code --transport}: which of Netty's I/O transports serves the sockets. {@code auto} tries the
 * others in the order below, fastest first, and keeps the first whose event loops start here.
 */
public enum TransportChoice {
    /** The first of io_uring, epoll and NIO whose event loops start here. */
    AUTO,
    /** Linux io_uring: a read and a write for many connections go to the kernel in one system call. */
    IO_URING,
    /** Linux epoll: one system call per read and per write. */
    EPOLL,
    /** Java NIO, which works everywhere. */
    NIO;

    /** The flag's spelling: {@code io_uring}. */
    public String flagValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
