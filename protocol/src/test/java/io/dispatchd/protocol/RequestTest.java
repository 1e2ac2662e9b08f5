package io.dispatchd.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RequestTest {

    @Test
    void keyIsStoredInLowerCase() {
        assertThat(Request.of("ABC", "1").service()).isEqualTo("abc");
    }

    @Test
    void toLineIsTheWireForm() {
        assertThat(Request.of("a", "88").toLine()).isEqualTo("a 88\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a\n", "é", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"})
    void malformedKeysAreRefusedBeforeSending(String key) {
        assertThatIllegalArgumentException().isThrownBy(() -> Request.of(key, "x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " x", "x ", "\tx", "a\nb", "a\rb", "x\u0000", "x\u0085"})
    void qualsTheServerWouldRefuseOrSplitAreRefusedBeforeSending(String qual) {
        assertThatIllegalArgumentException().isThrownBy(() -> Request.of("a", qual));
    }

    @Test
    void unpairedSurrogateIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Request.of("a", "x\uD800y"));
        assertThat(Request.of("a", "x\uD83D\uDE00y").qual()).isEqualTo("x😀y");
    }

    @Test
    void ackBytesMatchTheSpec() {
        assertThat(Ack.OK.wire()).isEqualTo((byte) '+');
        assertThat(Ack.FAILED.wire()).isEqualTo((byte) '-');
        assertThat(Ack.BAD_REQUEST.wire()).isEqualTo((byte) '?');
        assertThat(Ack.BUSY.wire()).isEqualTo((byte) '!');
        for (Ack ack : Ack.values()) {
            assertThat(Ack.fromWire(ack.wire())).isSameAs(ack);
        }
        assertThat(Ack.fromWire((byte) 'x')).isNull();
        assertThat(Ack.fromWire((byte) 0xFF)).isNull();
    }
}
