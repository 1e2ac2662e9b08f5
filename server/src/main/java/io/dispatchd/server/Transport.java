package io.dispatchd.server;

import io.dispatchd.server.config.TransportChoice;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The I/O transport named by {@code --transport}. {@code auto} prefers io_uring: on the test
 * machine it served the same closed-loop load with less server CPU than epoll, which left the
 * clients more (docs/PERFORMANCE.md, 0.7). Where io_uring is missing or forbidden (old kernels,
 * container seccomp profiles, {@code kernel.io_uring_disabled}) it falls back to epoll, then NIO.
 */
record Transport(TransportChoice kind, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel) {

    static Transport of(TransportChoice choice) throws StartupException {
        return switch (choice) {
            case AUTO -> IoUring.isAvailable() ? ioUring() : Epoll.isAvailable() ? epoll() : nio();
            case IO_URING -> {
                requireAvailable(choice, IoUring.unavailabilityCause());
                yield ioUring();
            }
            case EPOLL -> {
                requireAvailable(choice, Epoll.unavailabilityCause());
                yield epoll();
            }
            case NIO -> nio();
        };
    }

    private static void requireAvailable(TransportChoice choice, Throwable unavailable) throws StartupException {
        if (unavailable != null) {
            throw new StartupException("--transport " + choice.flagValue() + " is not available here: "
                    + unavailable.getMessage(), unavailable);
        }
    }

    private static Transport ioUring() {
        return new Transport(TransportChoice.IO_URING, IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
    }

    private static Transport epoll() {
        return new Transport(TransportChoice.EPOLL, EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
    }

    private static Transport nio() {
        return new Transport(TransportChoice.NIO, NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }
}
