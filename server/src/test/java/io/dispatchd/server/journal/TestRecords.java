package io.dispatchd.server.journal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/** Records to framed bytes, the way the server will build a batch. */
final class TestRecords {

    private TestRecords() {
    }

    static int size(JournalRecord record) {
        if (record instanceof JournalRecord.Admitted a) {
            return JournalRecords.admittedSize(a.service(), a.qual());
        }
        return JournalRecords.COMPLETED_SIZE;
    }

    /** One batch: the records framed back to back, ready to append (position 0, limit at the end). */
    static ByteBuffer batch(List<? extends JournalRecord> records) {
        ByteBuffer buf = ByteBuffer.allocate(records.stream().mapToInt(TestRecords::size).sum());
        CRC32C crc = new CRC32C();
        for (JournalRecord record : records) {
            put(buf, crc, record);
        }
        return buf.flip();
    }

    static ByteBuffer batch(JournalRecord... records) {
        return batch(List.of(records));
    }

    static void put(ByteBuffer buf, CRC32C crc, JournalRecord record) {
        if (record instanceof JournalRecord.Admitted a) {
            JournalRecords.putAdmitted(buf, crc, a.id(), a.attempt(), a.service(), a.qual());
        } else {
            JournalRecords.putCompleted(buf, crc, record.id());
        }
    }

    static JournalRecord.Admitted admitted(long id, String qual) {
        return new JournalRecord.Admitted(id, 1, "a", qual);
    }

    static JournalRecord.Completed completed(long id) {
        return new JournalRecord.Completed(id);
    }

    /** {@code "00 0a FF"} to bytes. */
    static byte[] hex(String spaced) {
        String[] parts = spaced.trim().split("\\s+");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }
}
