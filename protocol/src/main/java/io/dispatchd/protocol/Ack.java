package io.dispatchd.protocol;

/**
 * The one-byte answer the server writes for every non-blank request line, in request order.
 *
 * <pre>
 *   '+' OK           accept mode: admitted; complete mode: ran and succeeded
 *   '-' FAILED       complete mode only: the engine threw or ran past --job-timeout
 *   '?' BAD_REQUEST  malformed, unknown service, too long, not UTF-8: nothing ran
 *   '!' BUSY         queue full or server draining: nothing ran, retry later
 * </pre>
 */
public enum Ack {
    OK('+'),
    FAILED('-'),
    BAD_REQUEST('?'),
    BUSY('!');

    private static final Ack[] BY_BYTE = new Ack[128];

    static {
        for (Ack ack : values()) {
            BY_BYTE[ack.wire] = ack;
        }
    }

    private final byte wire;

    Ack(char wire) {
        this.wire = (byte) wire;
    }

    /** The byte on the wire. */
    public byte wire() {
        return wire;
    }

    /** Its name as a label or key, lower case: {@code ok}, {@code bad_request} (metrics, CSV, JSON). */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** How a person reads it: the byte, then the name, {@code + OK}, {@code ! BUSY}. */
    public String label() {
        return (char) wire + " " + name();
    }

    /** The ack a wire byte stands for, or {@code null} if the byte is not an ack. */
    public static Ack fromWire(byte b) {
        return b >= 0 ? BY_BYTE[b] : null;
    }
}
