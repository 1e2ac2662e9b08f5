package io.dispatchd.client.bench;

/**
 * Whether a reply starts with the expected bytes, fed one byte at a time so the reply itself is
 * never kept. Kind 0 ({@code expected}) when it does, 1 ({@code unexpected}) when not; with no
 * expected prefix every reply is kind 0.
 */
final class PrefixMatcher {

    static final int EXPECTED = 0;
    static final int UNEXPECTED = 1;

    private final byte[] prefix;
    private int matched;
    private boolean mismatch;

    PrefixMatcher(byte[] prefix) {
        this.prefix = prefix;
    }

    void accept(byte b) {
        if (!mismatch && matched < prefix.length) {
            if (prefix[matched] == b) {
                matched++;
            } else {
                mismatch = true;
            }
        }
    }

    /** The kind of the reply just ended, and a reset for the next one. */
    int endOfReply() {
        int kind = !mismatch && matched == prefix.length ? EXPECTED : UNEXPECTED;
        matched = 0;
        mismatch = false;
        return kind;
    }
}
