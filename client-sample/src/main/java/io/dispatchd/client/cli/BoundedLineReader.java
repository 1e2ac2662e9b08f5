package io.dispatchd.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads LF-terminated lines as bytes (not characters: the protocol parser decides what is valid
 * UTF-8), dropping a CR before the LF. A line longer than the limit is not kept: it is skipped to
 * its LF and reported as {@link #TOO_LONG}, so one endless line cannot exhaust memory.
 */
final class BoundedLineReader {

    /** Returned in place of a line longer than the limit. */
    static final byte[] TOO_LONG = new byte[0];

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer;

    BoundedLineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.buffer = new byte[maxLineBytes + 1]; // + 1 for a CR to be dropped
    }

    /** The next line without its LF or CRLF, {@link #TOO_LONG}, or {@code null} at end of input. */
    byte[] readLine() throws IOException {
        int length = 0;
        boolean tooLong = false;
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (length < buffer.length) {
                buffer[length++] = (byte) b;
            } else {
                tooLong = true;
            }
        }
        if (b == -1 && length == 0 && !tooLong) {
            return null;
        }
        if (length > 0 && buffer[length - 1] == '\r') {
            length--;
        }
        if (tooLong || length > maxLineBytes) {
            return TOO_LONG;
        }
        return Arrays.copyOf(buffer, length);
    }
}
