package io.dispatchd.client.bench;

/**
 * How raw-mode replies are framed: {@code line} (up to and including LF) or {@code bytes:N}
 * (exactly N bytes).
 *
 * @param fixedSize the size of each reply, or 0 for newline-terminated replies
 */
public record ReplyFormat(int fixedSize) {

    public static final ReplyFormat LINE = new ReplyFormat(0);
    public static final int MAX_FIXED_SIZE = 1 << 20;

    public ReplyFormat {
        if (fixedSize < 0 || fixedSize > MAX_FIXED_SIZE) {
            throw new IllegalArgumentException("reply size must be 1-" + MAX_FIXED_SIZE + ": " + fixedSize);
        }
    }

    /** Parses {@code line} or {@code bytes:N}. */
    public static ReplyFormat parse(String text) {
        if (text.equals("line")) {
            return LINE;
        }
        if (text.startsWith("bytes:")) {
            try {
                int size = Integer.parseInt(text.substring("bytes:".length()));
                if (size >= 1) {
                    return new ReplyFormat(size);
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a reply format: line or bytes:N (N >= 1)");
    }

    ReplyFramer newFramer(byte[] expect) {
        return fixedSize == 0 ? new LineReplyFramer(expect) : new FixedSizeReplyFramer(fixedSize, expect);
    }

    @Override
    public String toString() {
        return fixedSize == 0 ? "line" : "bytes:" + fixedSize;
    }
}
