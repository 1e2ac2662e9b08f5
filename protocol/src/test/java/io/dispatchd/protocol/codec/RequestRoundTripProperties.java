package io.dispatchd.protocol.codec;

import io.dispatchd.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever a client can build, the server decodes back to the same request, however it is split. */
class RequestRoundTripProperties {

    @Provide
    Arbitrary<List<Request>> requests() {
        Arbitrary<String> keys = Arbitraries.strings().withChars("abcXYZ019_-").ofMinLength(1).ofMaxLength(32);
        Arbitrary<String> quals = Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40)
                .filter(RequestRoundTripProperties::isValidQual);
        return net.jqwik.api.Combinators.combine(keys, quals).as(Request::new).list().ofMinSize(1).ofMaxSize(20);
    }

    private static boolean isValidQual(String q) {
        try {
            Request.of("a", q);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Property(tries = 300)
    void encodedRequestsDecodeToThemselves(@ForAll("requests") List<Request> requests,
                                           @ForAll @IntRange(min = 1, max = 64) int chunk) {
        EmbeddedChannel client = new EmbeddedChannel(RequestEncoder.INSTANCE);
        EmbeddedChannel server = new EmbeddedChannel(new RequestDecoder(1024));
        for (Request r : requests) {
            client.writeOutbound(r);
        }
        ByteBuf wire;
        while ((wire = client.readOutbound()) != null) {
            while (wire.isReadable()) {
                server.writeInbound(wire.readRetainedSlice(Math.min(chunk, wire.readableBytes())));
            }
            wire.release();
        }
        List<Object> decoded = new ArrayList<>();
        Object m;
        while ((m = server.readInbound()) != null) {
            decoded.add(m);
        }
        assertThat(decoded).containsExactlyElementsOf(requests);
        assertThat(client.finish()).isFalse();
        assertThat(server.finish()).isFalse();
    }
}
