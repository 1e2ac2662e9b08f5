package io.dispatchd.server.journal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The bytes of one journal record. Encoding runs once per request on the event loop, so it allocates nothing:
 * UTF-8 is written by hand and the checksum is fed from the caller's buffer itself. Decoding runs only at
 * recovery and may allocate.
 *
 * <p>Every record is framed: {@code int32 length} (big-endian, the number of bytes after the 8-byte frame header),
 * {@code int32 CRC32C} of those bytes, then the body: a type byte and the fields, all big-endian.
 * <pre>
 * ADMITTED  (type 1): long id, int attempt, short serviceLen, service (ASCII), int qualLen, qual (UTF-8)
 * COMPLETED (type 2): long id
 * </pre>
 * Worked example, {@code ADMITTED id=7 attempt=1 service="a" qual="88"} (30 bytes):
 * <pre>
 * 00 00 00 16              length 22
 * 42 17 78 77              CRC32C of the 22 body bytes below
 * 01                       type ADMITTED
 * 00 00 00 00 00 00 00 07  id 7
 * 00 00 00 01              attempt 1
 * 00 01 61                 service "a"
 * 00 00 00 02 38 38        qual "88"
 * </pre>
 * and {@code COMPLETED id=7} (17 bytes): {@code 00 00 00 09  82 BE D6 29  02  00 00 00 00 00 00 00 07}.
 */
public final class JournalRecords {

    /** Length and checksum in front of every body. */
    public static final int FRAME_HEADER = 8;

    /**
     * A body is never larger: a bigger length field is damage, not a record. Twice the longest
     * line the server takes ({@code --max-line} is at most 1 MiB), so every request fits whatever
     * its key and fields add.
     */
    public static final int MAX_BODY = 2 << 20;

    /** The longest service key. */
    public static final int MAX_SERVICE = 32;

    static final byte ADMITTED = 1;
    static final byte COMPLETED = 2;

    /** type, id, attempt, serviceLen, qualLen: an ADMITTED body without its two strings. */
    static final int ADMITTED_FIXED = 1 + 8 + 4 + 2 + 4;

    static final int COMPLETED_BODY = 1 + 8;

    /** The framed size of a COMPLETED record. */
    public static final int COMPLETED_SIZE = FRAME_HEADER + COMPLETED_BODY;

    private JournalRecords() {
    }

    /** The framed size of an ADMITTED record (frame header included), computed without allocating. */
    public static int admittedSize(String service, String qual) {
        return FRAME_HEADER + ADMITTED_FIXED + service.length() + utf8Length(qual);
    }

    /**
     * Writes one framed ADMITTED record at {@code buf.position()} and advances the position past it. The caller
     * guarantees {@link #admittedSize} bytes of room.
     *
     * @throws IllegalArgumentException if {@code service} is not 1-32 ASCII characters or the body would exceed
     *                                  {@link #MAX_BODY}; {@code buf} is then left as it was
     */
    public static void putAdmitted(ByteBuffer buf, CRC32C crc, long id, int attempt, String service, String qual) {
        checkService(service);
        int start = buf.position();
        buf.position(start + FRAME_HEADER);
        buf.put(ADMITTED).putLong(id).putInt(attempt).putShort((short) service.length());
        for (int i = 0; i < service.length(); i++) {
            buf.put((byte) service.charAt(i));
        }
        int qualLenAt = buf.position();
        buf.position(qualLenAt + 4);
        putUtf8(buf, qual);
        buf.putInt(qualLenAt, buf.position() - qualLenAt - 4);
        int bodyLength = buf.position() - start - FRAME_HEADER;
        if (bodyLength > MAX_BODY) {
            buf.position(start);
            throw new IllegalArgumentException("journal record of " + bodyLength + " bytes exceeds " + MAX_BODY);
        }
        seal(buf, crc, start);
    }

    /** Writes one framed COMPLETED record ({@link #COMPLETED_SIZE} bytes) at {@code buf.position()}. */
    public static void putCompleted(ByteBuffer buf, CRC32C crc, long id) {
        int start = buf.position();
        buf.position(start + FRAME_HEADER);
        buf.put(COMPLETED).putLong(id);
        seal(buf, crc, start);
    }

    /**
     * Fills in the frame header of the body that runs from {@code start + 8} to {@code buf.position()}. The
     * checksum is fed from {@code buf} itself, its limit narrowed for a moment, because a slice or duplicate would
     * be garbage on every request.
     */
    private static void seal(ByteBuffer buf, CRC32C crc, int start) {
        int end = buf.position();
        int limit = buf.limit();
        buf.limit(end).position(start + FRAME_HEADER);
        crc.reset();
        crc.update(buf);
        buf.limit(limit).position(end);
        buf.putInt(start, end - start - FRAME_HEADER);
        buf.putInt(start + 4, (int) crc.getValue());
    }

    private static void checkService(String service) {
        int n = service.length();
        if (n < 1 || n > MAX_SERVICE) {
            throw new IllegalArgumentException("service key must be 1-" + MAX_SERVICE + " characters: " + service);
        }
        for (int i = 0; i < n; i++) {
            if (service.charAt(i) >= 0x80) {
                throw new IllegalArgumentException("service key must be ASCII: " + service);
            }
        }
    }

    /**
     * The length of {@code s} in UTF-8, as {@link String#getBytes} would encode it: a surrogate pair is 4 bytes, a
     * lone surrogate becomes {@code ?}.
     */
    static int utf8Length(String s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 2;
                i++;
            } else if (!Character.isSurrogate(c)) {
                bytes += 2;
            }
        }
        return bytes;
    }

    /** Encodes exactly {@link #utf8Length} bytes of {@code s} at {@code buf.position()}. */
    private static void putUtf8(ByteBuffer buf, String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                buf.put((byte) c);
            } else if (c < 0x800) {
                buf.put((byte) (0xC0 | c >> 6)).put((byte) (0x80 | c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                buf.put((byte) (0xF0 | cp >> 18)).put((byte) (0x80 | cp >> 12 & 0x3F))
                        .put((byte) (0x80 | cp >> 6 & 0x3F)).put((byte) (0x80 | cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                buf.put((byte) '?');
            } else {
                buf.put((byte) (0xE0 | c >> 12)).put((byte) (0x80 | c >> 6 & 0x3F)).put((byte) (0x80 | c & 0x3F));
            }
        }
    }

    /**
     * Decodes one body (type byte and fields, no frame header) that must be exactly one well-formed record.
     *
     * @return the record, or {@code null} if the bytes are anything else (unknown type, a length that does not
     *         match, a bad service key, invalid UTF-8, bytes left over)
     */
    static JournalRecord decodeBody(ByteBuffer body) {
        ByteBuffer in = body.slice();
        if (!in.hasRemaining()) {
            return null;
        }
        byte type = in.get();
        if (type == COMPLETED) {
            return in.remaining() == 8 ? new JournalRecord.Completed(in.getLong()) : null;
        }
        if (type != ADMITTED || in.remaining() < ADMITTED_FIXED - 1) {
            return null;
        }
        long id = in.getLong();
        int attempt = in.getInt();
        int serviceLength = in.getShort();
        if (serviceLength < 1 || serviceLength > MAX_SERVICE || in.remaining() < serviceLength + 4) {
            return null;
        }
        char[] service = new char[serviceLength];
        for (int i = 0; i < serviceLength; i++) {
            byte b = in.get();
            if (b < 0) {
                return null;
            }
            service[i] = (char) b;
        }
        int qualLength = in.getInt();
        if (qualLength != in.remaining()) {
            return null;
        }
        try {
            String qual = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in).toString();
            return new JournalRecord.Admitted(id, attempt, new String(service), qual);
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
