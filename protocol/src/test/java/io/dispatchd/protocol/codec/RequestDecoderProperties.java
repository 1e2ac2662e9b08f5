package io.dispatchd.protocol.codec;

import io.dispatchd.protocol.BadRequest;
import io.dispatchd.protocol.Command;
import io.dispatchd.protocol.RequestParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any bytes, any split: the decoder says what a plain model of the protocol says, and never holds more
 * than {@code max-line + 1} bytes of an unfinished line. The model: split on LF; drop one CR right
 * before it; longer than the limit is {@link BadRequest#TOO_LONG}; otherwise what the parser says;
 * bytes after the last LF are no line.
 */
class RequestDecoderProperties {

    private static final int MAX_LINE = 16;

    @Provide
    Arbitrary<String> streams() {
        // short keys and quals, blanks, CRs and LFs in any order: lines around the limit, blank lines,
        // CRLFs, lone CRs, lines too long by one or by many
        return Arbitraries.strings().withChars("aabbqqqqq \t\r\n").ofMaxLength(200); // lines ~13 bytes on average
    }

    @Property(tries = 500)
    void decodesAsTheSpecSaysWhateverTheSplit(@ForAll("streams") String stream,
                                              @ForAll @IntRange(min = 1, max = 40) int chunk) {
        byte[] bytes = stream.getBytes(StandardCharsets.US_ASCII);
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDecoder(MAX_LINE));
        RequestDecoder decoder = channel.pipeline().get(RequestDecoder.class);
        for (int i = 0; i < bytes.length; i += chunk) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i)));
            assertThat(decoder.heldBytes()).as("held after %d bytes", i).isLessThanOrEqualTo(MAX_LINE + 1);
        }
        List<Object> decoded = new ArrayList<>();
        Object m;
        while ((m = channel.readInbound()) != null) {
            decoded.add(m);
        }
        assertThat(decoded).containsExactlyElementsOf(model(bytes));
        assertThat(channel.finish()).as("nothing left unread").isFalse();
    }

    private static List<Command> model(byte[] bytes) {
        List<Command> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
            if (end - start > MAX_LINE) {
                out.add(BadRequest.TOO_LONG);
            } else {
                ByteBuf line = Unpooled.wrappedBuffer(bytes, start, end - start);
                Command c = RequestParser.parse(line);
                if (c != null) {
                    out.add(c);
                }
            }
            start = i + 1;
        }
        return out;
    }
}
