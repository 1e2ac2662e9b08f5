package io.dispatchd.server.journal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static io.dispatchd.server.journal.JournalRecords.FRAME_HEADER;
import static io.dispatchd.server.journal.JournalRecords.MAX_BODY;

/**
 * Reads one segment at recovery: its records in order up to the first defect, and, for the last segment, whether
 * any valid record follows that defect (the difference between a torn tail and damage). It reads through a window
 * of the file rather than the whole file, so a large segment does not need a heap as large.
 */
final class SegmentScanner {

    /** Where a segment stops making sense, and why; offset 0 means its header. */
    record Defect(long offset, String what) {
    }

    private static final int WINDOW = 64 * 1024;

    private final FileChannel channel;
    private final long size;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer window = ByteBuffer.allocate(WINDOW).limit(0);
    private long windowStart;

    SegmentScanner(FileChannel channel) throws IOException {
        this.channel = channel;
        this.size = channel.size();
    }

    long size() {
        return size;
    }

    /**
     * Hands every valid record, in order, to {@code each}, stopping at the first defect.
     *
     * @return that defect, or {@code null} if the segment is a good header and whole records to its last byte
     */
    Defect scan(Consumer<JournalRecord> each) throws IOException {
        if (size < SegmentFiles.HEADER_SIZE) {
            return new Defect(0, size == 0 ? "empty file, no segment header" : "segment header cut short");
        }
        if (!SegmentFiles.isHeader(bytes(0, SegmentFiles.HEADER_SIZE))) {
            return new Defect(0, "bad segment header: not a dispatchd journal of format 1");
        }
        long pos = SegmentFiles.HEADER_SIZE;
        while (pos < size) {
            if (size - pos < FRAME_HEADER) {
                return new Defect(pos, "frame header cut short");
            }
            int length = intAt(pos);
            if (length < 1 || length > MAX_BODY) {
                return new Defect(pos, "bad record length " + length);
            }
            if (length > size - pos - FRAME_HEADER) {
                return new Defect(pos, "record runs past the end of the file");
            }
            ByteBuffer body = bytes(pos + FRAME_HEADER, length);
            if (!checksumMatches(body, intAt(pos + 4))) {
                return new Defect(pos, "bad checksum");
            }
            JournalRecord record = JournalRecords.decodeBody(bytes(pos + FRAME_HEADER, length));
            if (record == null) {
                return new Defect(pos, "undecodable record");
            }
            each.accept(record);
            pos += FRAME_HEADER + length;
        }
        return null;
    }

    /**
     * Whether a complete valid record starts at any offset after {@code offset}. A crash only ever leaves a torn
     * record (or zeros) at the end of what was written, never a whole record after it; so if one is found, the
     * defect at {@code offset} is damage and truncating would drop records.
     */
    boolean validRecordStartsAfter(long offset) throws IOException {
        for (long pos = offset + 1; size - pos >= FRAME_HEADER + 1; pos++) {
            int length = intAt(pos);
            if (length < 1 || length > MAX_BODY || length > size - pos - FRAME_HEADER) {
                continue;
            }
            byte type = bytes(pos + FRAME_HEADER, 1).get();
            if (type != JournalRecords.ADMITTED && type != JournalRecords.COMPLETED) {
                continue;
            }
            int checksum = intAt(pos + 4);
            if (checksumMatches(bytes(pos + FRAME_HEADER, length), checksum)
                    && JournalRecords.decodeBody(bytes(pos + FRAME_HEADER, length)) != null) {
                return true;
            }
        }
        return false;
    }

    private boolean checksumMatches(ByteBuffer body, int checksum) {
        crc.reset();
        crc.update(body);
        return (int) crc.getValue() == checksum;
    }

    private int intAt(long pos) throws IOException {
        load(pos, 4);
        return window.getInt((int) (pos - windowStart));
    }

    /**
     * {@code n} bytes of the file from {@code pos}, as a copy of their own (position 0, limit n): a
     * slice of the window would change under the caller when the next read moves the window.
     */
    private ByteBuffer bytes(long pos, int n) throws IOException {
        load(pos, n);
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(window.slice((int) (pos - windowStart), n)).flip();
        return copy;
    }

    /** Makes the window hold {@code [pos, pos + n)}, which the caller knows lies within the file. */
    private void load(long pos, int n) throws IOException {
        if (pos >= windowStart && pos + n <= windowStart + window.limit()) {
            return;
        }
        if (window.capacity() < n) {
            window = ByteBuffer.allocate(Math.max(n, Math.min(2 * window.capacity(), MAX_BODY + FRAME_HEADER)));
        }
        window.clear().limit((int) Math.min(window.capacity(), size - pos));
        while (window.hasRemaining()) {
            if (channel.read(window, pos + window.position()) < 0) {
                throw new EOFException("segment shrank while being read at offset " + (pos + window.position()));
            }
        }
        window.flip();
        windowStart = pos;
    }
}
