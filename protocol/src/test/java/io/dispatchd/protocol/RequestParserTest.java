package io.dispatchd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RequestParserTest {

    private static Command parse(String line) {
        return parse(line.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static Command parse(byte[] bytes) {
        ByteBuf heap = Unpooled.wrappedBuffer(bytes);
        ByteBuf direct = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        try {
            Command fromHeap = RequestParser.parse(heap);
            assertThat(RequestParser.parse(direct)).as("direct and heap buffers parse alike").isEqualTo(fromHeap);
            assertThat(heap.readerIndex()).as("parse leaves the buffer's indexes alone").isZero();
            return fromHeap;
        } finally {
            heap.release();
            direct.release();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void seedRequestParses() {
        assertThat(parse("a 88")).isEqualTo(new Request("a", "88"));
    }

    @Test
    void keyIsCaseInsensitiveAndBlanksAroundAreDropped() {
        assertThat(parse(" \t B\t \t12 x \t")).isEqualTo(new Request("b", "12 x"));
    }

    @Test
    void qualKeepsItsCaseEvenWhenSeenBeforeInTheOther() {
        assertThat(parse("a x")).isEqualTo(new Request("a", "x"));
        assertThat(parse("A X")).isEqualTo(new Request("a", "X"));
        assertThat(parse("a x")).isEqualTo(new Request("a", "x"));
    }

    @Test
    void qualKeepsInnerBlanksAndTabs() {
        assertThat(parse("c one\ttwo  three")).isEqualTo(new Request("c", "one\ttwo  three"));
    }

    @Test
    void qualMayBeAnyUtf8() {
        assertThat(parse(utf8("d héllo 日本 😀"))).isEqualTo(new Request("d", "héllo 日本 😀"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", " \t  \t"})
    void blankLinesAreIgnored(String line) {
        assertThat(parse(line)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"quit", "QUIT", "Quit", "  quit", "quit \t"})
    void quitAloneOnALineInAnyCase(String line) {
        assertThat(parse(line)).isSameAs(Quit.INSTANCE);
    }

    @Test
    void quitWithAQualIsAnOrdinaryRequest() {
        assertThat(parse("quit now")).isEqualTo(new Request("quit", "now"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a ", "abc\t \t", "quits"})
    void keyWithoutQualIsMissingQual(String line) {
        assertThat(parse(line)).isEqualTo(BadRequest.MISSING_QUAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a+b 1", "+ 1", "a.b 1", "a\u00e9 1", "a\u0000 1"})
    void keyWithAForeignByteIsBadKey(String line) {
        assertThat(parse(line)).isEqualTo(BadRequest.BAD_KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1", "POST /submit HTTP/1.0", "PRI * HTTP/2.0", "OPTIONS * HTTP/1.1 ",
        "Host: example.com", "host:x", "HOST:   a b"})
    void anHttpRequestLineOrHostHeaderIsHttp(String line) {
        assertThat(parse(line)).isEqualTo(BadRequest.HTTP);
    }

    @ParameterizedTest
    @ValueSource(strings = {"get / HTTP/1.1", "a GET / HTTP/1.1", "GET HTTP/1.1", "GET / HTTP/1.x", "GET / http/1.1",
        "Hostname: x", "a Host: x"})
    void linesThatOnlyLookAlikeAreNotHttp(String line) {
        assertThat(parse(line)).isNotEqualTo(BadRequest.HTTP);
    }

    @Test
    void keyOfThirtyTwoIsFineAndThirtyThreeIsNot() {
        String k32 = "k".repeat(32);
        assertThat(parse(k32 + " q")).isEqualTo(new Request(k32, "q"));
        assertThat(parse(k32 + "k q")).isEqualTo(BadRequest.BAD_KEY);
    }

    @Test
    void repeatedKeysShareOneStringWhateverTheirCase() {
        Request first = (Request) parse("Upper x");
        Request second = (Request) parse("uPPER y");
        assertThat(second.service()).isEqualTo("upper").isSameAs(first.service());
        for (int i = 0; i < 2000; i++) {
            assertThat(((Request) parse("k" + i + " q")).service()).isEqualTo("k" + i);
        }
    }

    @Test
    void keyMayUseDigitsUnderscoreAndDash() {
        assertThat(parse("My_svc-2 x")).isEqualTo(new Request("my_svc-2", "x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a 8\u00008", "a 88\r", "a \u001b[1m", "a x\u007fy", "a \u000b"})
    void c0AndDelControlsAreRefused(String line) {
        assertThat(parse(line)).isEqualTo(BadRequest.CONTROL_CHARACTER);
    }

    @Test
    void c1ControlsAreRefusedButTheCharactersAfterThemAreNot() {
        assertThat(parse(utf8("a x\u0085"))).isEqualTo(BadRequest.CONTROL_CHARACTER);
        assertThat(parse(utf8("a x\u0080"))).isEqualTo(BadRequest.CONTROL_CHARACTER);
        assertThat(parse(utf8("a x\u009f"))).isEqualTo(BadRequest.CONTROL_CHARACTER);
        assertThat(parse(utf8("a x\u00a0"))).isEqualTo(new Request("a", "x\u00a0"));
    }

    @Test
    void malformedUtf8IsRefused() {
        byte[][] bad = {
                {'a', ' ', (byte) 0xC3, 0x28},                       // bad continuation
                {'a', ' ', (byte) 0x80},                             // stray continuation
                {'a', ' ', (byte) 0xC0, (byte) 0xAF},                // overlong '/'
                {'a', ' ', (byte) 0xE0, (byte) 0x80, (byte) 0xAF},   // overlong 3-byte
                {'a', ' ', (byte) 0xED, (byte) 0xA0, (byte) 0x80},   // surrogate U+D800
                {'a', ' ', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
                {'a', ' ', (byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                {'a', ' ', 'x', (byte) 0xE2, (byte) 0x82},           // truncated at the end
                {'a', ' ', (byte) 0xFF},
        };
        for (byte[] line : bad) {
            assertThat(parse(line)).as("%s", java.util.Arrays.toString(line)).isEqualTo(BadRequest.NOT_UTF8);
        }
    }

    @Test
    void trailingBlanksAreTrimmedBeforeUtf8Checks() {
        assertThat(parse(utf8("a €  "))).isEqualTo(new Request("a", "€"));
    }
}
