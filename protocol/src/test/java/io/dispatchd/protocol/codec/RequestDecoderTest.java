package io.dispatchd.protocol.codec;

import io.dispatchd.protocol.BadRequest;
import io.dispatchd.protocol.Command;
import io.dispatchd.protocol.Quit;
import io.dispatchd.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RequestDecoderTest {

    private static final int MAX_LINE = 16;

    private final List<ByteBuf> sent = new ArrayList<>();
    private EmbeddedChannel channel = newChannel();

    private static EmbeddedChannel newChannel() {
        return new EmbeddedChannel(new RequestDecoder(MAX_LINE));
    }

    @AfterEach
    void everyBufferIsReleased() {
        assertThat(channel.finish()).as("nothing left unread").isFalse();
        for (ByteBuf buf : sent) {
            assertThat(buf.refCnt()).as("input buffer released").isZero();
        }
    }

    private void write(byte[] bytes) {
        ByteBuf buf = Unpooled.copiedBuffer(bytes);
        sent.add(buf);
        channel.writeInbound(buf);
    }

    private void write(String s) {
        write(s.getBytes(StandardCharsets.UTF_8));
    }

    private List<Command> read() {
        List<Command> out = new ArrayList<>();
        Object m;
        while ((m = channel.readInbound()) != null) {
            out.add((Command) m);
        }
        return out;
    }

    private static final String MIXED = "a 88\r\n\n  b 12\n\t\r\nQUIT\nc " + "x".repeat(40) + "\nd 37\nzz\n";
    private static final List<Command> MIXED_EXPECTED = List.of(
            new Request("a", "88"), new Request("b", "12"), Quit.INSTANCE,
            BadRequest.TOO_LONG, new Request("d", "37"), BadRequest.MISSING_QUAL);

    @Test
    void mixedInputDecodesInOrder() {
        write(MIXED);
        assertThat(read()).containsExactlyElementsOf(MIXED_EXPECTED);
    }

    @Test
    void inputSplitAtEveryByteDecodesTheSame() {
        byte[] all = MIXED.getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < all.length; cut++) {
            assertThat(channel.finish()).as("nothing left unread before split %d", cut).isFalse();
            channel = newChannel();
            write(java.util.Arrays.copyOfRange(all, 0, cut));
            write(java.util.Arrays.copyOfRange(all, cut, all.length));
            assertThat(read()).as("split at %d", cut).containsExactlyElementsOf(MIXED_EXPECTED);
        }
    }

    @Test
    void inputOneByteAtATimeDecodesTheSame() {
        for (byte b : MIXED.getBytes(StandardCharsets.UTF_8)) {
            write(new byte[] {b});
        }
        assertThat(read()).containsExactlyElementsOf(MIXED_EXPECTED);
    }

    @Test
    void lineOfExactlyMaxLengthIsAcceptedAndOneMoreIsTooLong() {
        String q14 = "q".repeat(MAX_LINE - 2);
        write("a " + q14 + "\r\n" + "a " + q14 + "q\n" + "b 1\n");
        assertThat(read()).containsExactly(new Request("a", q14), BadRequest.TOO_LONG, new Request("b", "1"));
    }

    @Test
    void lineOfExactlyMaxLengthIsAcceptedWhenItsLfArrivesAfterItsCr() {
        String q14 = "q".repeat(MAX_LINE - 2);
        write("a " + q14 + "\r"); // MAX_LINE + 1 bytes held: the CR may belong to a CRLF
        assertThat(read()).isEmpty();
        write("\nb 1\n");
        assertThat(read()).containsExactly(new Request("a", q14), new Request("b", "1"));
    }

    @Test
    void lineOneByteTooLongHeldAcrossReadsIsTooLongAndOneMoreByteIsDiscardedAtOnce() {
        RequestDecoder decoder = channel.pipeline().get(RequestDecoder.class);
        write("a " + "q".repeat(MAX_LINE - 1)); // MAX_LINE + 1 bytes, no CR: judged when its LF comes
        assertThat(decoder.heldBytes()).isEqualTo(MAX_LINE + 1);
        write("\nb 1\n");
        assertThat(read()).containsExactly(BadRequest.TOO_LONG, new Request("b", "1"));

        write("a " + "q".repeat(MAX_LINE - 1));
        write("x"); // MAX_LINE + 2: known too long, dropped as it comes
        assertThat(decoder.heldBytes()).isZero();
        write("\nb 2\n");
        assertThat(read()).containsExactly(BadRequest.TOO_LONG, new Request("b", "2"));
    }

    @Test
    void crAtTheLimitThatIsNotPartOfACrLfMakesTheLineTooLong() {
        write("a " + "q".repeat(MAX_LINE - 2) + "\r");
        write("x");
        write("\nb 1\n");
        assertThat(read()).containsExactly(BadRequest.TOO_LONG, new Request("b", "1"));
    }

    @Test
    void crLfAloneIsBlankAndALoneCrIsAMalformedLine() {
        write("\r\n\r\r\nb 1\n");
        assertThat(read()).containsExactly(BadRequest.BAD_KEY, new Request("b", "1"));
    }

    @Test
    void halfCloseDecodesTheCompleteLinesAndDropsTheUnfinishedOne() {
        write("a 1\nb 2");
        channel.pipeline().fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
        assertThat(read()).containsExactly(new Request("a", "1"));
    }

    @Test
    void veryLongLineIsDiscardedInPiecesAndTheConnectionLivesOn() {
        write("a ");
        for (int i = 0; i < 100; i++) {
            write("x".repeat(1000));
            assertThat(channel.pipeline().get(RequestDecoder.class).heldBytes())
                    .as("bytes of an unfinished line held").isLessThanOrEqualTo(MAX_LINE + 1);
        }
        write("\nb 2\n");
        assertThat(read()).containsExactly(BadRequest.TOO_LONG, new Request("b", "2"));
    }

    @Test
    void badBytesGetBadRequestAndLaterLinesStillDecode() {
        write(new byte[] {'a', ' ', (byte) 0xC3, 0x28, '\n', 'a', ' ', 1, '\n', 'a', ' ', 'o', 'k', '\n'});
        assertThat(read()).containsExactly(BadRequest.NOT_UTF8, BadRequest.CONTROL_CHARACTER, new Request("a", "ok"));
    }

    @Test
    void loneCrBeforeCrLfIsAControlCharacter() {
        write("a 88\r\r\n");
        assertThat(read()).containsExactly(BadRequest.CONTROL_CHARACTER);
    }

    @Test
    void unfinishedLastLineYieldsNothing() {
        write("a 88\nb 12");
        assertThat(read()).containsExactly(new Request("a", "88"));
    }
}
