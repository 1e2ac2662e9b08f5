package io.dispatchd.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * A stand-in server on 127.0.0.1, port 0, for the cases the real server does not produce on
 * demand: a server that stays silent, closes with requests owed, or sends a byte that is no ack.
 * For each line it writes what {@code reply} returns (nothing for {@code null}); {@code QUIT}
 * closes the connection, as the protocol says. Every line it
 * receives is also put on {@link #lines()} so a test can wait for it without sleeping.
 */
final class ScriptedServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Channel server;

    ScriptedServer(Function<String, String> reply) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new LineBasedFrameDecoder(4096),
                                new StringDecoder(StandardCharsets.UTF_8),
                                new SimpleChannelInboundHandler<String>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                        lines.add(line);
                                        if (line.equals("QUIT")) { // as the protocol says: close
                                            ctx.close();
                                            return;
                                        }
                                        String answer = reply.apply(line);
                                        if (answer != null) {
                                            ctx.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.ISO_8859_1));
                                        }
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** A server that answers every line with {@code ack}. */
    static ScriptedServer answering(char ack) throws InterruptedException {
        return new ScriptedServer(line -> String.valueOf(ack));
    }

    /** A server that reads and never answers. */
    static ScriptedServer silent() throws InterruptedException {
        return new ScriptedServer(line -> null);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    BlockingQueue<String> lines() {
        return lines;
    }

    /** Closes every accepted connection from the server side, and waits for it. */
    void closeConnections() {
        connections.close().syncUninterruptibly();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
