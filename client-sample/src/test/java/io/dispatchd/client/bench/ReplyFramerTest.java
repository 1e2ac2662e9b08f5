package io.dispatchd.client.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Framers split replies across reads correctly and classify them without keeping them. */
@Timeout(10)
class ReplyFramerTest {

    @Test
    void ackBytesAreTheirAckOrdinalAndOtherBytesAreOther() {
        assertThat(kinds(new AckReplyFramer(), "+-?!x")).containsExactly(0, 1, 2, 3, AckReplyFramer.OTHER);
    }

    @Test
    void lineRepliesAreClassifiedByPrefixEvenWhenSplitAcrossReads() {
        ReplyFramer framer = new LineReplyFramer(":".getBytes(StandardCharsets.US_ASCII));

        assertThat(kinds(framer, ":1\r", "\n-ERR x\r\n", ":", "2\r\n")).containsExactly(
                PrefixMatcher.EXPECTED, PrefixMatcher.UNEXPECTED, PrefixMatcher.EXPECTED);
    }

    @Test
    void aLineShorterThanTheExpectedPrefixIsUnexpected() {
        ReplyFramer framer = new LineReplyFramer("INSERTED".getBytes(StandardCharsets.US_ASCII));

        assertThat(kinds(framer, "INS\r\nINSERTED 7\r\n")).containsExactly(PrefixMatcher.UNEXPECTED, PrefixMatcher.EXPECTED);
    }

    @Test
    void withoutAnExpectedPrefixEveryReplyIsExpected() {
        assertThat(kinds(new LineReplyFramer(new byte[0]), "a\nb\n")).containsExactly(0, 0);
    }

    @Test
    void fixedSizeRepliesAreCutEveryNBytes() {
        ReplyFramer framer = new FixedSizeReplyFramer(3, "o".getBytes(StandardCharsets.US_ASCII));

        assertThat(kinds(framer, "ok!n", "o!ok", "?")).containsExactly(
                PrefixMatcher.EXPECTED, PrefixMatcher.UNEXPECTED, PrefixMatcher.EXPECTED);
    }

    @Test
    void replyFormatsParse() {
        assertThat(ReplyFormat.parse("line")).isEqualTo(ReplyFormat.LINE);
        assertThat(ReplyFormat.parse("bytes:4").fixedSize()).isEqualTo(4);
        assertThat(ReplyFormat.parse("bytes:4")).hasToString("bytes:4");
    }

    private static List<Integer> kinds(ReplyFramer framer, String... reads) {
        List<Integer> kinds = new ArrayList<>();
        for (String read : reads) {
            ByteBuf in = Unpooled.copiedBuffer(read, StandardCharsets.ISO_8859_1);
            framer.read(in, kinds::add);
            assertThat(in.isReadable()).isFalse();
            in.release();
        }
        return kinds;
    }
}
