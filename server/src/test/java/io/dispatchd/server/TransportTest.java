package io.dispatchd.server;

import io.dispatchd.server.config.TransportChoice;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringServerSocketChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TransportTest {

    @Test
    void autoPrefersIoUringThenEpollThenNio() throws StartupException {
        TransportChoice expected = IoUring.isAvailable() ? TransportChoice.IO_URING
                : Epoll.isAvailable() ? TransportChoice.EPOLL : TransportChoice.NIO;
        assertThat(Transport.of(TransportChoice.AUTO).kind()).isEqualTo(expected);
    }

    @Test
    void anExplicitChoiceIsTakenAsGiven() throws StartupException {
        assertThat(Transport.of(TransportChoice.NIO).serverChannel()).isEqualTo(NioServerSocketChannel.class);
        assumeTrue(Epoll.isAvailable() && IoUring.isAvailable(), "Linux with io_uring allowed");
        assertThat(Transport.of(TransportChoice.EPOLL).serverChannel()).isEqualTo(EpollServerSocketChannel.class);
        assertThat(Transport.of(TransportChoice.IO_URING).serverChannel()).isEqualTo(IoUringServerSocketChannel.class);
    }
}
