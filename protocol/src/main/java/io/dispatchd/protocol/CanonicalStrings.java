package io.dispatchd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.charset.StandardCharsets;

/**
 * Canonical strings for what requests repeat, so that a key or a qual seen before costs no new
 * {@code String} and no copy out of the read buffer: a client sending {@code a 88} a million times
 * gets the same two strings a million times.
 *
 * <p>Direct-mapped tables of {@value #SLOTS} slots: bytes whose slot holds another string simply
 * replace it, so any number of distinct keys or quals (a client can send as many as it likes)
 * costs at most that many entries per table. A miss costs the hash and one comparison on top of
 * the allocation it would have cost anyway.
 *
 * <ul>
 *   <li><b>Keys</b> (lower-cased) share one table among all threads, without locks: a server has
 *       few services, so in normal traffic the table is read far more than written; strings are
 *       immutable, and a lost race only costs one allocation. A canonical key also has its hash
 *       code computed already for the dispatch table's lookup. Any well-formed key is kept, named
 *       service or not (the parser does not know the services), so a client naming ever-new keys,
 *       each answered {@code ?}, writes the table on every request and evicts the real keys: it
 *       then costs what no table would, plus shared writes between event loops.</li>
 *   <li><b>Quals</b> of up to {@value #MAX_CACHED_QUAL} ASCII bytes go through a table per thread
 *       (the event loop decoding them). Quals may all differ, such as ids, and then every request
 *       writes its slot; a table shared by several event loops would bounce its cache lines
 *       between their cores. Longer or non-ASCII quals are decoded as before.</li>
 * </ul>
 */
final class CanonicalStrings {

    static final int SLOTS = 256;
    static final int MAX_CACHED_QUAL = 32;

    private static final String[] KEYS = new String[SLOTS];

    private static final FastThreadLocal<String[]> QUALS = new FastThreadLocal<>() {
        @Override
        protected String[] initialValue() {
            return new String[SLOTS];
        }
    };

    private CanonicalStrings() {
    }

    /** The lower-case key for bytes {@code [start, start + length)}, all of them key bytes. */
    static String key(ByteBuf b, int start, int length) {
        return lookUp(KEYS, b, start, length, true);
    }

    /** The qual held in bytes {@code [start, start + length)}, already checked to be well-formed UTF-8. */
    static String qual(ByteBuf b, int start, int length) {
        if (length <= MAX_CACHED_QUAL) {
            String cached = lookUp(QUALS.get(), b, start, length, false);
            if (cached != null) {
                return cached;
            }
        }
        return b.toString(start, length, StandardCharsets.UTF_8);
    }

    /**
     * The canonical string for ASCII bytes {@code [start, start + length)}, lower-cased if asked,
     * put in {@code table} if it was not there; {@code null} if a byte is not ASCII.
     */
    private static String lookUp(String[] table, ByteBuf b, int start, int length, boolean lowerCase) {
        int hash = 0;
        for (int i = 0; i < length; i++) {
            byte c = b.getByte(start + i);
            if (c < 0) {
                return null;
            }
            hash = 31 * hash + (lowerCase ? lower(c) : c);
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        String cached = table[slot];
        if (cached != null && matches(cached, b, start, length, lowerCase)) {
            return cached;
        }
        String s = lowerCase ? lowerCaseAscii(b, start, length) : b.toString(start, length, StandardCharsets.US_ASCII);
        table[slot] = s;
        return s;
    }

    private static String lowerCaseAscii(ByteBuf b, int start, int length) {
        byte[] ascii = new byte[length];
        for (int i = 0; i < length; i++) {
            ascii[i] = (byte) lower(b.getByte(start + i));
        }
        return new String(ascii, StandardCharsets.ISO_8859_1);
    }

    private static boolean matches(String cached, ByteBuf b, int start, int length, boolean lowerCase) {
        if (cached.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            byte c = b.getByte(start + i);
            if (cached.charAt(i) != (lowerCase ? lower(c) : c)) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
