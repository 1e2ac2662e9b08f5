package io.dispatchd.server.pipeline;

import io.dispatchd.protocol.Ack;
import io.dispatchd.protocol.BadRequest;
import io.dispatchd.protocol.Request;
import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.security.TokenFile;
import io.dispatchd.server.service.LetterService;
import io.dispatchd.server.service.ServiceRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ForeignProtocol} and {@link AuthGate} alone, on an {@link EmbeddedChannel}. */
class SecurityHandlersTest {

    private final DispatchMetrics metrics = new DispatchMetrics(ServiceRegistry.of(LetterService.builtIns()), AckMode.ACCEPT);

    @TempDir
    Path tmp;

    @Test
    void plainBytesPassAndTheGuardLeavesAfterTheFirstRead() {
        EmbeddedChannel ch = new EmbeddedChannel(new ForeignProtocol(metrics));
        ch.writeInbound(Unpooled.copiedBuffer("a 1\n", StandardCharsets.US_ASCII));
        ByteBuf passed = ch.readInbound();
        assertThat(passed.toString(StandardCharsets.US_ASCII)).isEqualTo("a 1\n");
        passed.release();
        assertThat(ch.pipeline().get(ForeignProtocol.class)).as("gone: no cost per request").isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03}));
        assertThat(ch.isOpen()).as("only a connection's first bytes are looked at").isTrue();
        ((ByteBuf) ch.readInbound()).release();
        ch.finishAndReleaseAll();
    }

    @Test
    void aTlsHandshakeFirstClosesTheConnectionWithNothingPassedOn() {
        EmbeddedChannel ch = new EmbeddedChannel(new ForeignProtocol(metrics));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05}));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.isOpen()).isFalse();
        assertThat(metrics.registry().find("dispatchd.foreign.protocol").tag("protocol", "tls").counter().count()).isOne();
    }

    @Test
    void theRightTokenIsAnsweredOkAndTheGateLeavesSoLaterLinesPassStraightOn() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new AuthGate(tokens("s3cret"), metrics));
        ch.writeInbound(new Request("AUTH", "s3cret"), new Request("a", "1"));
        assertThat((Object) ch.readOutbound()).isEqualTo(Ack.OK);
        assertThat((Object) ch.readInbound()).isEqualTo(new Request("a", "1"));
        assertThat(ch.pipeline().get(AuthGate.class)).isNull();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aWrongTokenOrAnotherFirstLineIsAnsweredBadRequestCountedAndClosed() throws Exception {
        for (Object first : new Object[] {new Request("auth", "guess"), new Request("a", "1"), BadRequest.BAD_KEY}) {
            EmbeddedChannel ch = new EmbeddedChannel(new AuthGate(tokens("s3cret"), metrics));
            ch.writeInbound(first, new Request("a", "2"));
            assertThat((Object) ch.readOutbound()).isEqualTo(Ack.BAD_REQUEST);
            assertThat((Object) ch.readOutbound()).as("nothing for the lines behind it").isNull();
            assertThat((Object) ch.readInbound()).as("nothing reaches dispatch").isNull();
            assertThat(ch.isOpen()).isFalse();
        }
        assertThat(metrics.registry().find("dispatchd.auth.failures").counter().count()).isEqualTo(3);
    }

    private TokenFile tokens(String... lines) throws Exception {
        Path file = tmp.resolve("tokens");
        Files.write(file, java.util.List.of(lines));
        return TokenFile.load(file, "--auth-token-file");
    }
}
