package io.dispatchd.server;

import io.dispatchd.server.config.TransportChoice;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringFixedBufferRingAllocator;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The event loops of the I/O transport named by {@code --transport}, started: {@code --io-threads}
 * of them, which both accept connections and serve them.
 * <p>
 * There is no separate loop to accept, as Netty's examples have. Connections here are few and long
 * lived, so accepting is a rare task for the loop that holds the listening socket; a loop of its
 * own would be a thread idle nearly all its life, and on io_uring each loop also sets up its own
 * ring, receive ring and ~0.5 MB of message headers (on the heap, copied at every young collection
 * until they are old enough to be promoted). On the test machine one loop serving and accepting
 * gave the same or a shorter p99 at 100 000 requests a second than two, with one thread and ~5 MB
 * of RSS less.
 * <p>
 * {@code auto} prefers io_uring: a loop pass handles every completion that has arrived, so requests
 * come in larger batches with fewer worker wake-ups, and on the test machine it served the same
 * closed-loop load with less server CPU than epoll. Where io_uring is missing or forbidden (old
 * kernels, container seccomp profiles, {@code kernel.io_uring_disabled}) Netty's probe says so
 * and {@code auto} takes epoll, then NIO. A ring can also fail only when the
 * real event loops create theirs (on kernels before 5.12 ring memory counts against
 * {@code RLIMIT_MEMLOCK}), so {@code auto} starts the loops themselves in that order and keeps the
 * first that start.
 * <p>
 * On io_uring, connections receive through a ring of buffers that each event loop shares among its
 * connections ({@link #RECEIVE_RING_BUFFERS} of {@link #RECEIVE_BUFFER_BYTES}, so at most 2 MB per
 * loop). With it a receive stays armed in the kernel (multishot) instead of being submitted again
 * after every read. On the test machine that took 5–9% off the server's CPU at 40 000 unpipelined
 * requests a second, and left the tail at 100 000 no worse. When every buffer is in use, Netty
 * falls back to a plain receive into a buffer of its own. Kernels before 5.19 cannot register
 * such a ring: there io_uring runs without one rather than giving way to epoll.
 */
record Transport(TransportChoice kind, Class<? extends ServerChannel> serverChannel,
                 EventLoopGroup eventLoops) {

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    static final short RECEIVE_RING_ID = 1;
    static final short RECEIVE_RING_BUFFERS = 512;
    static final int RECEIVE_BUFFER_BYTES = 4096;
    /** Buffers the ring is topped up with at a time as receives use them; the ring's CPU figures above are with 64. */
    private static final int RECEIVE_RING_REFILL = 64;

    static Transport start(TransportChoice choice, int ioThreads) throws StartupException {
        return start(candidates(choice), ioThreads, Transport::ioHandlerFactory);
    }

    /** What {@code choice} may run on, in the order to try: for {@code auto}, every transport that loads here. */
    static List<TransportChoice> candidates(TransportChoice choice) throws StartupException {
        switch (choice) {
            case AUTO -> {
                List<TransportChoice> loadable = new ArrayList<>(3);
                if (IoUring.isAvailable()) {
                    loadable.add(TransportChoice.IO_URING);
                }
                if (Epoll.isAvailable()) {
                    loadable.add(TransportChoice.EPOLL);
                }
                loadable.add(TransportChoice.NIO);
                return loadable;
            }
            case IO_URING -> requireAvailable(choice, IoUring.unavailabilityCause());
            case EPOLL -> requireAvailable(choice, Epoll.unavailabilityCause());
            case NIO -> { }
            default -> throw new AssertionError(choice);
        }
        return List.of(choice);
    }

    /** Starts the event loops of the first candidate whose loops start; the last one's failure is the server's. */
    static Transport start(List<TransportChoice> candidates, int ioThreads,
                           Function<TransportChoice, IoHandlerFactory> ioHandlers) throws StartupException {
        for (int i = 0; ; i++) {
            TransportChoice kind = candidates.get(i);
            try {
                return startOn(kind, ioThreads, ioHandlers.apply(kind));
            } catch (RuntimeException | LinkageError e) {
                if (i + 1 == candidates.size()) {
                    throw new StartupException("cannot start the " + kind.flagValue() + " event loops: " + e.getMessage(), e);
                }
                log.warn("cannot start the {} event loops ({}); trying {}", kind.flagValue(), e.toString(),
                        candidates.get(i + 1).flagValue());
            }
        }
    }

    private static Transport startOn(TransportChoice kind, int ioThreads, IoHandlerFactory ioHandlers) {
        return new Transport(kind, serverChannel(kind), new MultiThreadIoEventLoopGroup(ioThreads, ioHandlers));
    }

    /**
     * Whether io_uring's loops have the receive ring and its connections use it: decided here only,
     * because a connection naming a ring its loop lacks gets no error, Netty just receives without it.
     */
    private static boolean receiveRing() {
        return IoUring.isRegisterBufferRingSupported();
    }

    /** io_uring's event loops, each with the receive ring its connections use where the kernel can. */
    static IoUringIoHandlerConfig ioUringConfig() {
        IoUringIoHandlerConfig config = new IoUringIoHandlerConfig();
        if (receiveRing()) {
            config.setBufferRingConfig(IoUringBufferRingConfig.builder()
                    .bufferGroupId(RECEIVE_RING_ID)
                    .bufferRingSize(RECEIVE_RING_BUFFERS)
                    .batchSize(RECEIVE_RING_REFILL)
                    .allocator(new IoUringFixedBufferRingAllocator(RECEIVE_BUFFER_BYTES))
                    .build());
        }
        return config;
    }

    /** What this transport sets on every connection it serves: on io_uring, its loop's receive ring. */
    void configureConnections(ServerBootstrap bootstrap) {
        if (kind == TransportChoice.IO_URING && receiveRing()) {
            bootstrap.childOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, RECEIVE_RING_ID);
        }
    }

    private static void requireAvailable(TransportChoice choice, Throwable unavailable) throws StartupException {
        if (unavailable != null) {
            throw new StartupException("--transport " + choice.flagValue() + " is not available here: "
                    + unavailable.getMessage(), unavailable);
        }
    }

    private static IoHandlerFactory ioHandlerFactory(TransportChoice kind) {
        return switch (kind) {
            case IO_URING -> IoUringIoHandler.newFactory(ioUringConfig());
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
            case AUTO -> throw new IllegalArgumentException("auto names no transport: see candidates()");
        };
    }

    private static Class<? extends ServerChannel> serverChannel(TransportChoice kind) {
        return switch (kind) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
            case AUTO -> throw new IllegalArgumentException("auto names no transport: see candidates()");
        };
    }
}
