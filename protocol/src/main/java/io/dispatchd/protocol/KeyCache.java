package io.dispatchd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Canonical lower-case key strings, so a request for a key seen before allocates no new string
 * (and its hash code is already computed for the dispatch table's lookup). Direct-mapped: a key
 * whose slot holds another key simply replaces it, so any number of distinct keys — a client can
 * send as many as it likes — costs at most {@value #SLOTS} entries. Shared by all threads without
 * locks: strings are immutable, and a lost race only costs one allocation.
 */
final class KeyCache {

    private static final int SLOTS = 256;
    private static final String[] CACHE = new String[SLOTS];

    private KeyCache() {
    }

    /** The lower-case key for bytes {@code [start, start + length)}, all of them key bytes. */
    static String key(ByteBuf b, int start, int length) {
        int hash = 0;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + lower(b.getByte(start + i));
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        String cached = CACHE[slot];
        if (cached != null && matches(cached, b, start, length)) {
            return cached;
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) lower(b.getByte(start + i));
        }
        String key = new String(chars);
        CACHE[slot] = key;
        return key;
    }

    private static boolean matches(String cached, ByteBuf b, int start, int length) {
        if (cached.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (cached.charAt(i) != lower(b.getByte(start + i))) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
