package io.dispatchd.protocol;

/** A line that is answered {@code ?}: why it was refused, for logs and tests. */
public enum BadRequest implements Command {
    /** No separator or no qual after the service key. */
    MISSING_QUAL,
    /** The service key is empty, too long, or has a byte outside {@code [A-Za-z0-9_-]}. */
    BAD_KEY,
    /** The qual is not valid UTF-8. */
    NOT_UTF8,
    /** The qual holds a control character other than tab. */
    CONTROL_CHARACTER,
    /** The line is longer than the server's maximum; it was discarded up to its LF. */
    TOO_LONG,
    /**
     * An HTTP request line ({@code METHOD target HTTP/1.1}) or a {@code Host:} header: a browser
     * or an HTTP client at the wrong port, perhaps sent by a hostile web page. The server closes
     * the connection at once, with no ack, rather than run the lines that follow (the attack
     * Redis closed in 3.2).
     */
    HTTP
}
