package io.dispatchd.protocol.codec;

import io.dispatchd.protocol.Ack;
import io.dispatchd.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AckCodecTest {

    @Test
    void ackEncoderWritesOneBytePerAckWithoutReleasingTheSharedBuffers() {
        EmbeddedChannel ch = new EmbeddedChannel(AckEncoder.INSTANCE);
        for (int round = 0; round < 3; round++) {
            ch.writeOutbound(Ack.OK, Ack.FAILED, Ack.BAD_REQUEST, Ack.BUSY);
            StringBuilder wire = new StringBuilder();
            ByteBuf b;
            while ((b = ch.readOutbound()) != null) {
                wire.append(b.toString(StandardCharsets.US_ASCII));
                b.release();
            }
            assertThat(wire).hasToString("+-?!");
        }
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void ackDecoderReadsEveryByteAsAnAck() {
        EmbeddedChannel ch = new EmbeddedChannel(new AckDecoder());
        ch.writeInbound(Unpooled.copiedBuffer("+-", StandardCharsets.US_ASCII));
        ch.writeInbound(Unpooled.copiedBuffer("?!", StandardCharsets.US_ASCII));
        assertThat((Ack) ch.readInbound()).isEqualTo(Ack.OK);
        assertThat((Ack) ch.readInbound()).isEqualTo(Ack.FAILED);
        assertThat((Ack) ch.readInbound()).isEqualTo(Ack.BAD_REQUEST);
        assertThat((Ack) ch.readInbound()).isEqualTo(Ack.BUSY);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void ackDecoderRefusesAByteThatIsNoAck() {
        EmbeddedChannel ch = new EmbeddedChannel(new AckDecoder());
        ByteBuf junk = Unpooled.copiedBuffer("+x+", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ch.writeInbound(junk)).isInstanceOf(DecoderException.class)
                .hasMessageContaining("0x78");
        assertThat((Ack) ch.readInbound()).isEqualTo(Ack.OK);
        assertThat(junk.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void requestEncoderWritesTheLine() {
        EmbeddedChannel ch = new EmbeddedChannel(RequestEncoder.INSTANCE);
        ch.writeOutbound(Request.of("A", "héllo wörld"));
        ByteBuf out = ch.readOutbound();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("a héllo wörld\n");
        out.release();
        assertThat(ch.finish()).isFalse();
    }
}
