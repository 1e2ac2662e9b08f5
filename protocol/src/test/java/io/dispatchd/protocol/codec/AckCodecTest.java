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
    void ackEncoderWritesOneBytePerAckGatheredIntoOneBufferPerFlush() {
        EmbeddedChannel ch = new EmbeddedChannel(new AckEncoder());
        for (int round = 0; round < 3; round++) {
            for (Ack ack : Ack.values()) {
                ch.write(ack, ch.voidPromise());
            }
            assertThat((Object) ch.readOutbound()).as("nothing leaves before the flush").isNull();
            ch.flush();
            StringBuilder wire = new StringBuilder();
            ByteBuf b;
            while ((b = ch.readOutbound()) != null) {
                wire.append(b.toString(StandardCharsets.US_ASCII));
                b.release();
            }
            assertThat(wire).hasToString("+-?!");
        }
        ch.writeOutbound(Ack.OK, Ack.BUSY);
        ByteBuf single = ch.readOutbound();
        assertThat(single.toString(StandardCharsets.US_ASCII)).as("acks with real promises go one by one").isEqualTo("+");
        single.release();
        ((ByteBuf) ch.readOutbound()).release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aFlushWithOneAckWritesThatByteEveryTimeAndTwoStartAGatheredBuffer() {
        EmbeddedChannel ch = new EmbeddedChannel(new AckEncoder());
        String expected = "";
        StringBuilder wire = new StringBuilder();
        for (int round = 0; round < 3; round++) {
            for (Ack ack : Ack.values()) {
                ch.write(ack, ch.voidPromise());
                ch.flush();
                ByteBuf one = ch.readOutbound();
                wire.append(one.toString(StandardCharsets.US_ASCII));
                one.skipBytes(one.readableBytes()); // a reader consuming it must not empty the next one
                assertThat(one.release()).as("a view of the shared constant, not a pooled buffer").isFalse();
                assertThat((Object) ch.readOutbound()).as("one message per flush").isNull();
                expected += (char) ack.wire();
            }
        }
        assertThat(wire).hasToString(expected);
        ch.write(Ack.OK, ch.voidPromise());
        ch.write(Ack.BUSY, ch.voidPromise());
        ch.flush();
        ByteBuf two = ch.readOutbound();
        assertThat(two.toString(StandardCharsets.US_ASCII)).isEqualTo("+!");
        two.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void unflushedAcksAreReleasedWhenTheChannelCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new AckEncoder());
        ch.write(Ack.OK, ch.voidPromise());
        ch.write(Ack.OK, ch.voidPromise()); // two: a pooled buffer is holding them
        assertThat(ch.finishAndReleaseAll()).isFalse();
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
        assertThat(ch.finish()).as("the acks before the bad byte were read, nothing after it decoded").isFalse();
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
