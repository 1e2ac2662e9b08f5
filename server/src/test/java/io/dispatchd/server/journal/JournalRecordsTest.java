package io.dispatchd.server.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static io.dispatchd.server.journal.TestRecords.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalRecordsTest {

    private final CRC32C crc = new CRC32C();

    /** The example written in {@link JournalRecords}' Javadoc, byte for byte. */
    @Test
    void admittedMatchesTheWorkedExampleByteForByte() {
        ByteBuffer buf = ByteBuffer.allocate(64);
        JournalRecords.putAdmitted(buf, crc, 7, 1, "a", "88");

        assertThat(Arrays.copyOf(buf.array(), buf.position())).containsExactly(hex("""
                00 00 00 16
                42 17 78 77
                01
                00 00 00 00 00 00 00 07
                00 00 00 01
                00 01 61
                00 00 00 02 38 38"""));
        assertThat(JournalRecords.admittedSize("a", "88")).isEqualTo(30);
    }

    @Test
    void completedMatchesTheWorkedExampleByteForByte() {
        ByteBuffer buf = ByteBuffer.allocate(64);
        JournalRecords.putCompleted(buf, crc, 7);

        assertThat(Arrays.copyOf(buf.array(), buf.position()))
                .containsExactly(hex("00 00 00 09  82 BE D6 29  02  00 00 00 00 00 00 00 07"));
        assertThat(JournalRecords.COMPLETED_SIZE).isEqualTo(17);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "88", "héllo 😀", "日本語の仕事", "tab\there", "😀😀😀", "ÿ߿ࠀ￿"})
    void admittedRoundTripsAndItsSizeIsTheBytesWritten(String qual) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        JournalRecords.putAdmitted(buf, crc, Long.MIN_VALUE + 3, 42, "Svc_-9", qual);

        assertThat(buf.position()).isEqualTo(JournalRecords.admittedSize("Svc_-9", qual));
        assertThat(decodeFramed(buf.flip())).isEqualTo(new JournalRecord.Admitted(Long.MIN_VALUE + 3, 42, "Svc_-9", qual));
    }

    @ParameterizedTest
    @ValueSource(strings = {"héllo 😀", "a\uD800b", "\uDC00", "x\uD83D", "😀\uDE00"})
    void qualIsEncodedExactlyAsStringGetBytesWouldIncludingLoneSurrogates(String qual) {
        byte[] expected = qual.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(256);
        JournalRecords.putAdmitted(buf, crc, 1, 1, "a", qual);

        int qualAt = JournalRecords.FRAME_HEADER + JournalRecords.ADMITTED_FIXED + 1;
        assertThat(Arrays.copyOfRange(buf.array(), qualAt, buf.position())).containsExactly(expected);
        assertThat(buf.getInt(qualAt - 4)).isEqualTo(expected.length);
        assertThat(JournalRecords.utf8Length(qual)).isEqualTo(expected.length);
    }

    @Test
    void completedRoundTrips() {
        ByteBuffer buf = ByteBuffer.allocate(JournalRecords.COMPLETED_SIZE);
        JournalRecords.putCompleted(buf, crc, -1);

        assertThat(buf.hasRemaining()).isFalse();
        assertThat(decodeFramed(buf.flip())).isEqualTo(new JournalRecord.Completed(-1));
    }

    @Test
    void recordsAreWrittenAtThePositionAndLeaveTheLimitAndOtherBytesAlone() {
        ByteBuffer buf = ByteBuffer.allocate(100);
        buf.put(new byte[]{9, 9, 9});
        buf.limit(90);
        JournalRecords.putCompleted(buf, crc, 5);
        JournalRecords.putAdmitted(buf, crc, 6, 0, "b", "q");

        assertThat(buf.limit()).isEqualTo(90);
        assertThat(buf.position()).isEqualTo(3 + JournalRecords.COMPLETED_SIZE + JournalRecords.admittedSize("b", "q"));
        assertThat(buf.get(0)).isEqualTo((byte) 9);
        assertThat(buf.get(buf.position())).isZero();
        ByteBuffer frames = buf.flip().position(3);
        assertThat(decodeFramed(frames)).isEqualTo(new JournalRecord.Completed(5));
        assertThat(decodeFramed(frames)).isEqualTo(new JournalRecord.Admitted(6, 0, "b", "q"));
    }

    @Test
    void directBuffersEncodeTheSameBytesAsHeapBuffers() {
        ByteBuffer heap = ByteBuffer.allocate(64);
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        JournalRecords.putAdmitted(heap, crc, 7, 1, "a", "héllo 😀");
        JournalRecords.putAdmitted(direct, crc, 7, 1, "a", "héllo 😀");

        assertThat(direct.flip()).isEqualTo(heap.flip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "é", "abcdefghijklmnopqrstuvwxyz0123456"})
    void serviceKeysThatAreNotOneToThirtyTwoAsciiCharactersAreRefusedBeforeAnythingIsWritten(String service) {
        ByteBuffer buf = ByteBuffer.allocate(128);

        assertThatThrownBy(() -> JournalRecords.putAdmitted(buf, crc, 1, 1, service, "q"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(buf.position()).isZero();
        assertThat(buf.array()).containsOnly(0);
    }

    @Test
    void aBodyOverOneMebibyteIsRefusedAndTheBufferPositionRestored() {
        String qual = "x".repeat(JournalRecords.MAX_BODY);
        ByteBuffer buf = ByteBuffer.allocate(1 + JournalRecords.admittedSize("a", qual));
        buf.position(1);

        assertThatThrownBy(() -> JournalRecords.putAdmitted(buf, crc, 1, 1, "a", qual))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds");
        assertThat(buf.position()).isEqualTo(1);
    }

    @Test
    void bodiesThatAreNotExactlyOneWellFormedRecordDoNotDecode() {
        assertThat(JournalRecords.decodeBody(ByteBuffer.allocate(0))).isNull();
        assertThat(JournalRecords.decodeBody(ByteBuffer.wrap(hex("03 00 00 00 00 00 00 00 07")))).as("unknown type").isNull();
        assertThat(JournalRecords.decodeBody(ByteBuffer.wrap(hex("02 00 00 00 00 00 00 00 07 00")))).as("trailing byte").isNull();
        assertThat(JournalRecords.decodeBody(ByteBuffer.wrap(hex("02 00 00 00 07")))).as("short").isNull();
        String good = "01  00 00 00 00 00 00 00 07  00 00 00 01  00 01 61  00 00 00 02 38 38";
        assertThat(JournalRecords.decodeBody(ByteBuffer.wrap(hex(good)))).isEqualTo(new JournalRecord.Admitted(7, 1, "a", "88"));
        assertThat(JournalRecords.decodeBody(ByteBuffer.wrap(hex(good.replace("00 01 61", "00 00 61")))))
                .as("empty service").isNull();
        assertThat(JournalRecords.decodeBody(ByteBuffer.wrap(hex(good.replace("00 01 61", "00 01 E9")))))
                .as("non-ASCII service").isNull();
        assertThat(JournalRecords.decodeBody(ByteBuffer.wrap(hex(good.replace("00 00 00 02 38 38", "00 00 00 03 38 38")))))
                .as("qual length past the end").isNull();
        assertThat(JournalRecords.decodeBody(ByteBuffer.wrap(hex(good.replace("00 00 00 02 38 38", "00 00 00 02 C3 28")))))
                .as("invalid UTF-8").isNull();
    }

    /** The encode path runs per request: thousands of records must not allocate a byte each. */
    @Test
    void encodingAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        String qual = "héllo 😀 and some more text";
        for (int i = 0; i < 20_000; i++) { // warm up, so that the JIT's own work is not counted
            encodeSome(buf, qual, i);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 20_000; i++) {
            encodeSome(buf, qual, i);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertThat(allocated).as("bytes allocated by 40,000 encodes").isLessThan(20_000);
    }

    private void encodeSome(ByteBuffer buf, String qual, int i) {
        buf.clear();
        JournalRecords.putAdmitted(buf, crc, i, 1, "service-a", qual);
        JournalRecords.putCompleted(buf, crc, i);
        if (JournalRecords.admittedSize("service-a", qual) + JournalRecords.COMPLETED_SIZE != buf.position()) {
            throw new AssertionError("size mismatch");
        }
    }

    /** Reads one frame at the buffer's position, checks its length and checksum, and decodes its body. */
    static JournalRecord decodeFramed(ByteBuffer buf) {
        int length = buf.getInt();
        int checksum = buf.getInt();
        ByteBuffer body = buf.slice(buf.position(), length);
        buf.position(buf.position() + length);
        CRC32C check = new CRC32C();
        check.update(body.duplicate());
        assertThat((int) check.getValue()).as("checksum").isEqualTo(checksum);
        return JournalRecords.decodeBody(body);
    }
}
