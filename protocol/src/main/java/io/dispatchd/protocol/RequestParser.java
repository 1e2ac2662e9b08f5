package io.dispatchd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Turns one request line (its bytes, without the LF or CRLF) into a {@link Command}.
 *
 * <p>A line is {@code WHICH SEP QUAL}:
 * <pre>
 *   bytes on the wire           parse(line)
 *   "a 88"                      Request(service="a", qual="88")
 *   "  B\t\t12 x  "             Request(service="b", qual="12 x")     blanks before WHICH and
 *                                                                     around QUAL are dropped
 *   "quit" / "QUIT "            Quit
 *   "" / " \t "                 null                                  blank: no ack at all
 *   "a"                         BadRequest.MISSING_QUAL
 *   "a+b 1"                     BadRequest.BAD_KEY
 *   "a \xC3\x28"                BadRequest.NOT_UTF8
 *   "a 8\x008" / "a \xC2\x85"   BadRequest.CONTROL_CHARACTER          C0, DEL and C1 (U+0080–U+009F)
 *   "GET / HTTP/1.1", "Host: x" BadRequest.HTTP                       another protocol: the server hangs up
 * </pre>
 * {@code WHICH} is 1–32 bytes of {@code [A-Za-z0-9_-]}, case-insensitive; {@code SEP} is one or
 * more spaces or tabs; {@code QUAL} is at least one byte of valid UTF-8 with no control
 * character other than tab. Whether a well-formed key names a service is the server's call.
 *
 * <p>Allocation-free until it builds the result, and then, for a key and a qual this thread has
 * seen recently, only the {@link Request} ({@link CanonicalStrings}); works on any {@link ByteBuf}
 * (heap or direct), on the whole readable part or on a range of it, and does not move its indexes.
 */
public final class RequestParser {

    private RequestParser() {
    }

    /**
     * Parses one line.
     *
     * @return the command, or {@code null} for a blank line (which gets no ack)
     */
    public static Command parse(ByteBuf line) {
        return parse(line, line.readerIndex(), line.writerIndex());
    }

    /**
     * Parses the line held in bytes {@code [from, end)} of {@code line}, without the LF or CRLF;
     * does not move the buffer's indexes.
     *
     * @return the command, or {@code null} for a blank line (which gets no ack)
     */
    public static Command parse(ByteBuf line, int from, int end) {
        int i = skipBlanks(line, from, end);
        if (i == end) {
            return null;
        }
        int keyStart = i;
        while (i < end && isKeyByte(line.getByte(i))) {
            i++;
        }
        int keyLength = i - keyStart;
        if (keyLength == 0 || keyLength > ProtocolLimits.MAX_KEY_LENGTH || (i < end && !isBlank(line.getByte(i)))) {
            return isHostHeader(line, keyStart, keyLength, end) ? BadRequest.HTTP : BadRequest.BAD_KEY;
        }
        int qualStart = skipBlanks(line, i, end);
        int qualEnd = end;
        while (qualEnd > qualStart && isBlank(line.getByte(qualEnd - 1))) {
            qualEnd--;
        }
        if (qualStart == qualEnd) {
            return isQuit(line, keyStart, keyLength) ? Quit.INSTANCE : BadRequest.MISSING_QUAL;
        }
        BadRequest qualProblem = checkQual(line, qualStart, qualEnd);
        if (qualProblem != null) {
            return qualProblem;
        }
        if (endsWithHttpVersion(line, qualStart, qualEnd) && isUpperCaseWord(line, keyStart, keyLength)) {
            return BadRequest.HTTP;
        }
        return Request.parsed(
                CanonicalStrings.key(line, keyStart, keyLength),
                CanonicalStrings.qual(line, qualStart, qualEnd - qualStart));
    }

    /**
     * Checks that bytes {@code [from, to)} are well-formed UTF-8 (no overlong forms, no
     * surrogates, nothing above U+10FFFF) holding no control character but tab.
     *
     * @return {@code null} if the qual is acceptable, else why not
     */
    static BadRequest checkQual(ByteBuf b, int from, int to) {
        int i = from;
        while (i < to) {
            int c = b.getByte(i) & 0xFF;
            if (c < 0x80) {
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    return BadRequest.CONTROL_CHARACTER;
                }
                i++;
            } else if (c < 0xC2) {
                return BadRequest.NOT_UTF8; // stray continuation byte, or overlong 2-byte form
            } else if (c < 0xE0) {
                if (i + 1 >= to || !isContinuation(b.getByte(i + 1))) {
                    return BadRequest.NOT_UTF8;
                }
                if (c == 0xC2 && (b.getByte(i + 1) & 0xFF) < 0xA0) {
                    return BadRequest.CONTROL_CHARACTER; // C1 controls U+0080–U+009F
                }
                i += 2;
            } else if (c < 0xF0) {
                if (i + 2 >= to) {
                    return BadRequest.NOT_UTF8;
                }
                int c1 = b.getByte(i + 1) & 0xFF;
                int lo = c == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
                int hi = c == 0xED ? 0x9F : 0xBF; // ED A0..BF would be a surrogate
                if (c1 < lo || c1 > hi || !isContinuation(b.getByte(i + 2))) {
                    return BadRequest.NOT_UTF8;
                }
                i += 3;
            } else if (c < 0xF5) {
                if (i + 3 >= to) {
                    return BadRequest.NOT_UTF8;
                }
                int c1 = b.getByte(i + 1) & 0xFF;
                int lo = c == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
                int hi = c == 0xF4 ? 0x8F : 0xBF; // F4 90.. would be above U+10FFFF
                if (c1 < lo || c1 > hi || !isContinuation(b.getByte(i + 2)) || !isContinuation(b.getByte(i + 3))) {
                    return BadRequest.NOT_UTF8;
                }
                i += 4;
            } else {
                return BadRequest.NOT_UTF8;
            }
        }
        return null;
    }

    /** {@code Host:} (any case) where the key ends: an HTTP header line. */
    private static boolean isHostHeader(ByteBuf b, int start, int length, int end) {
        return length == 4 && start + 4 < end && b.getByte(start + 4) == ':'
                && (b.getByte(start) | 0x20) == 'h'
                && (b.getByte(start + 1) | 0x20) == 'o'
                && (b.getByte(start + 2) | 0x20) == 's'
                && (b.getByte(start + 3) | 0x20) == 't';
    }

    /**
     * The qual ends in {@code " HTTP/d.d"}: with an upper-case key, an HTTP request line. One byte
     * compare for almost every real request (the ninth byte from the end is rarely a space).
     */
    private static boolean endsWithHttpVersion(ByteBuf b, int from, int to) {
        int v = to - 9;
        return v > from && b.getByte(v) == ' ' && b.getByte(v + 1) == 'H' && b.getByte(v + 2) == 'T'
                && b.getByte(v + 3) == 'T' && b.getByte(v + 4) == 'P' && b.getByte(v + 5) == '/'
                && isDigit(b.getByte(v + 6)) && b.getByte(v + 7) == '.' && isDigit(b.getByte(v + 8));
    }

    private static boolean isUpperCaseWord(ByteBuf b, int start, int length) {
        for (int i = start; i < start + length; i++) {
            byte c = b.getByte(i);
            if (c < 'A' || c > 'Z') {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isQuit(ByteBuf b, int start, int length) {
        return length == 4
                && (b.getByte(start) | 0x20) == 'q'
                && (b.getByte(start + 1) | 0x20) == 'u'
                && (b.getByte(start + 2) | 0x20) == 'i'
                && (b.getByte(start + 3) | 0x20) == 't';
    }

    private static int skipBlanks(ByteBuf b, int from, int to) {
        while (from < to && isBlank(b.getByte(from))) {
            from++;
        }
        return from;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    static boolean isBlank(int c) {
        return c == ' ' || c == '\t';
    }

    static boolean isKeyByte(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    /** A character the qual may not hold: Unicode Cc (C0, DEL, C1) other than tab. */
    static boolean isForbiddenControl(int c) {
        return (c < 0x20 && c != '\t') || (c >= 0x7F && c <= 0x9F);
    }
}
