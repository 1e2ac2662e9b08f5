package io.dispatchd.server;

import io.dispatchd.server.config.TransportChoice;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringServerSocketChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TransportTest {

    @Test
    void autoTriesIoUringThenEpollThenNioOfThoseThatLoad() throws StartupException {
        List<TransportChoice> expected = new ArrayList<>();
        if (IoUring.isAvailable()) {
            expected.add(TransportChoice.IO_URING);
        }
        if (Epoll.isAvailable()) {
            expected.add(TransportChoice.EPOLL);
        }
        expected.add(TransportChoice.NIO);
        assertThat(Transport.candidates(TransportChoice.AUTO)).isEqualTo(expected);
        assertThat(Transport.candidates(TransportChoice.NIO)).containsExactly(TransportChoice.NIO);
    }

    @Test
    void eventLoopsThatFailToStartGiveWayToTheNextCandidate() throws StartupException {
        List<TransportChoice> tried = new ArrayList<>();
        Transport transport = Transport.start(List.of(TransportChoice.IO_URING, TransportChoice.NIO), 1, kind -> {
            tried.add(kind);
            if (kind == TransportChoice.IO_URING) {
                throw new IllegalStateException("ring: Cannot allocate memory"); // as RLIMIT_MEMLOCK does
            }
            return NioIoHandler.newFactory();
        });
        try {
            assertThat(tried).containsExactly(TransportChoice.IO_URING, TransportChoice.NIO);
            assertThat(transport.kind()).isEqualTo(TransportChoice.NIO);
            assertThat(transport.serverChannel()).isEqualTo(NioServerSocketChannel.class);
            assertThat(transport.eventLoops().isShuttingDown()).isFalse();
            assertThat(transport.eventLoops()).as("--io-threads loops, and no other to accept").hasSize(1);
        } finally {
            transport.eventLoops().shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    @Test
    void ioUringConnectionsReceiveThroughTheLoopsBufferRingAndOthersSetNothing() {
        assumeTrue(IoUring.isAvailable() && IoUring.isRegisterBufferRingSupported(), "no io_uring buffer rings here");
        ServerBootstrap uring = new ServerBootstrap();
        new Transport(TransportChoice.IO_URING, IoUringServerSocketChannel.class, null).configureConnections(uring);
        assertThat(uring.config().childOptions())
                .containsEntry(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, Transport.RECEIVE_RING_ID);
        // Without a ring of that id in the loop, Netty would quietly receive the old way.
        assertThat(Transport.ioUringConfig().getBufferRingConfigs())
                .singleElement()
                .satisfies(ring -> {
                    assertThat(ring.bufferGroupId()).isEqualTo(Transport.RECEIVE_RING_ID);
                    assertThat(ring.bufferRingSize()).isEqualTo(Transport.RECEIVE_RING_BUFFERS);
                });

        ServerBootstrap epoll = new ServerBootstrap();
        new Transport(TransportChoice.EPOLL, EpollServerSocketChannel.class, null).configureConnections(epoll);
        assertThat(epoll.config().childOptions()).isEmpty();
    }

    @Test
    void theLastCandidateFailingIsAStartupFailureNamingIt() {
        assertThatThrownBy(() -> Transport.start(List.of(TransportChoice.EPOLL), 1, kind -> {
            throw new IllegalStateException("no loops today");
        })).isInstanceOf(StartupException.class).hasMessage("cannot start the epoll event loops: no loops today");
    }
}
