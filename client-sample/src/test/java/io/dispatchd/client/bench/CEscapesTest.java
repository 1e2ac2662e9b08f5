package io.dispatchd.client.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(10)
class CEscapesTest {

    @Test
    void redisAndBeanstalkdRequestsDecodeToTheirBytes() {
        assertThat(CEscapes.unescape("LPUSH q 88\\r\\n")).isEqualTo("LPUSH q 88\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(CEscapes.unescape("put 0 0 60 2\\r\\n88\\r\\n"))
                .isEqualTo("put 0 0 60 2\r\n88\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void everyKnownEscapeAndHexBytes() {
        assertThat(CEscapes.unescape("\\t\\0\\\\\\'\\\"\\a\\b\\e\\f\\v\\x41\\xfF"))
                .containsExactly('\t', 0, '\\', '\'', '"', 7, 8, 27, 12, 11, 'A', (byte) 0xFF);
    }

    @Test
    void textOutsideEscapesIsUtf8() {
        assertThat(CEscapes.unescape("é\\n")).containsExactly((byte) 0xC3, (byte) 0xA9, '\n');
    }

    @Test
    void unknownOrIncompleteEscapesAreErrorsNotGuesses() {
        assertThatIllegalArgumentException().isThrownBy(() -> CEscapes.unescape("a\\q"))
                .withMessageStartingWith("unknown escape \\q");
        assertThatIllegalArgumentException().isThrownBy(() -> CEscapes.unescape("a\\")).withMessageContaining("lone backslash");
        assertThatIllegalArgumentException().isThrownBy(() -> CEscapes.unescape("\\x4")).withMessageContaining("two hex digits");
        assertThatIllegalArgumentException().isThrownBy(() -> CEscapes.unescape("\\xg1")).withMessageContaining("two hex digits");
    }
}
