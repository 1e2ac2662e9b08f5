package io.dispatchd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class CanonicalStringsTest {

    static String qual(String s) {
        return qual(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String qual(byte[] bytes) {
        ByteBuf b = Unpooled.directBuffer(bytes.length + 4).writeBytes(new byte[] {'a', ' '}).writeBytes(bytes);
        try {
            return CanonicalStrings.qual(b, 2, bytes.length);
        } finally {
            b.release();
        }
    }

    private static String key(String s) {
        ByteBuf b = Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.US_ASCII));
        try {
            return CanonicalStrings.key(b, 0, s.length());
        } finally {
            b.release();
        }
    }

    @Test
    void aRepeatedQualIsTheSameStringWithoutACopy() {
        String first = qual("88");
        assertThat(first).isEqualTo("88");
        assertThat(qual("88")).isSameAs(first);
    }

    @Test
    void aRepeatedKeyIsTheSameLowerCaseString() {
        String first = key("Ab_1");
        assertThat(first).isEqualTo("ab_1");
        assertThat(key("aB_1")).isSameAs(first);
    }

    @Test
    void qualsInTheSameSlotEachComeBackAsThemselves() {
        List<String> sameSlot = sameSlot("q", 3);
        List<String> firstRound = new ArrayList<>();
        for (String q : sameSlot) {
            String got = qual(q);
            assertThat(got).isEqualTo(q);
            firstRound.add(got);
        }
        for (int i = 0; i < sameSlot.size(); i++) {
            assertThat(qual(sameSlot.get(i)))
                    .isEqualTo(sameSlot.get(i))
                    .as("evicted by the next one in the same slot, so made afresh")
                    .isNotSameAs(firstRound.get(i));
        }
    }

    @Test
    void aQualKeepsItsCaseWhereAKeyDoesNot() {
        assertThat(qual("X")).isEqualTo("X");
        assertThat(qual("x")).isEqualTo("x");
        assertThat(qual("X")).isEqualTo("X");
        assertThat(key("X")).isEqualTo("x");
    }

    @Test
    void longAndNonAsciiQualsAreDecodedAfresh() {
        String longQual = "x".repeat(CanonicalStrings.MAX_CACHED_QUAL + 1);
        assertThat(qual(longQual)).isEqualTo(longQual).isNotSameAs(qual(longQual));
        String atLimit = "y".repeat(CanonicalStrings.MAX_CACHED_QUAL);
        assertThat(qual(atLimit)).isEqualTo(atLimit).isSameAs(qual(atLimit));
        assertThat(qual("ünï 8")).isEqualTo("ünï 8").isNotSameAs(qual("ünï 8"));
    }

    @Test
    void eachThreadHasItsOwnQualTable() throws Exception {
        String here = qual("t1");
        String there = CompletableFuture.supplyAsync(() -> qual("t1")).get();
        assertThat(there).isEqualTo(here).isNotSameAs(here);
    }

    /** {@code count} distinct quals starting with {@code prefix} whose bytes fall in the same slot. */
    private static List<String> sameSlot(String prefix, int count) {
        List<String> found = new ArrayList<>();
        int wanted = slotOf(prefix + 0);
        for (int i = 0; found.size() < count; i++) {
            String q = prefix + i;
            if (slotOf(q) == wanted) {
                found.add(q);
            }
        }
        return found;
    }

    private static int slotOf(String ascii) {
        int hash = ascii.hashCode(); // String's hash is the same 31-polynomial over ASCII chars
        return (hash ^ (hash >>> 16)) & (CanonicalStrings.SLOTS - 1);
    }
}
