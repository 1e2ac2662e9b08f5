package io.dispatchd.protocol;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** However quals repeat and collide in the table, each comes back as exactly its own bytes. */
class CanonicalStringsProperties {

    /** Small alphabet (both cases) and lengths: the same quals come again and again, and many share slots. */
    @Provide
    Arbitrary<List<String>> asciiQuals() {
        return Arbitraries.strings().withChars("aAbB8 \t~").ofMinLength(1).ofMaxLength(CanonicalStrings.MAX_CACHED_QUAL + 2)
                .list().ofMinSize(1).ofMaxSize(400);
    }

    @Property(tries = 200)
    void everyQualComesBackAsItsOwnBytes(@ForAll("asciiQuals") List<String> quals) {
        for (String q : quals) {
            assertThat(CanonicalStringsTest.qual(q)).isEqualTo(q);
        }
    }
}
