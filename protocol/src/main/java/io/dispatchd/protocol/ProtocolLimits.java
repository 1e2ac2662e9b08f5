package io.dispatchd.protocol;

/** The numbers the wire format is defined by. */
public final class ProtocolLimits {

    /** Default for {@code --max-line}: bytes in a line, the LF or CRLF excluded. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1024;

    /** A service key is 1 to 32 characters of {@code [A-Za-z0-9_-]}. */
    public static final int MAX_KEY_LENGTH = 32;

    /** Version of the wire protocol described in this package. */
    public static final int PROTOCOL_VERSION = 1;

    private ProtocolLimits() {
    }
}
