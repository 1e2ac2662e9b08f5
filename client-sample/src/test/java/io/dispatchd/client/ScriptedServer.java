package io.dispatchd.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;

import javax.net.ssl.SSLSession;
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
 *
 * <p>Optionally it speaks TLS (an {@link SslHandler} first on each connection, from the context
 * given, which may require client certificates) and wants a token first, as the real server with
 * {@code --auth-token-file}: the first line must be {@code AUTH token}, answered {@code +}; any
 * other first line is answered {@code ?} and the connection closed. Each TLS session it accepted
 * is put on {@link #sessions()}.
 */
final class ScriptedServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final BlockingQueue<SSLSession> sessions = new LinkedBlockingQueue<>();
    private final Channel server;

    ScriptedServer(Function<String, String> reply) throws InterruptedException {
        this(reply, null, null);
    }

    /**
     * @param tls   speak TLS with this server context; {@code null} for plain TCP
     * @param token the token the first line must present ({@code AUTH token}); {@code null} for no AUTH
     */
    ScriptedServer(Function<String, String> reply, SslContext tls, String token) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        if (tls != null) {
                            SslHandler ssl = tls.newHandler(ch.alloc());
                            ssl.handshakeFuture().addListener(f -> {
                                if (f.isSuccess()) {
                                    sessions.add(ssl.engine().getSession());
                                }
                            });
                            ch.pipeline().addLast(ssl);
                        }
                        ch.pipeline().addLast(new LineBasedFrameDecoder(4096),
                                new StringDecoder(StandardCharsets.UTF_8),
                                new SimpleChannelInboundHandler<String>() {
                                    private boolean authenticated = token == null;

                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                        lines.add(line);
                                        if (!authenticated) {
                                            authenticated = line.equals("AUTH " + token);
                                            ChannelFuture answered = write(ctx, authenticated ? "+" : "?");
                                            if (!authenticated) {
                                                answered.addListener(ChannelFutureListener.CLOSE);
                                            }
                                            return;
                                        }
                                        if (line.equals("QUIT")) { // as the protocol says: close
                                            ctx.close();
                                            return;
                                        }
                                        String answer = reply.apply(line);
                                        if (answer != null) {
                                            write(ctx, answer);
                                        }
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        if (tls != null) {
                                            ctx.close(); // a handshake the client refused, as tests mean it to: no noise
                                        } else {
                                            ctx.fireExceptionCaught(cause);
                                        }
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    private static ChannelFuture write(ChannelHandlerContext ctx, String answer) {
        return ctx.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.ISO_8859_1));
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

    /** The TLS sessions of the handshakes that succeeded, in order. */
    BlockingQueue<SSLSession> sessions() {
        return sessions;
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
