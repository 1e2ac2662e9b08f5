package io.dispatchd.protocol;

import java.util.Locale;

/**
 * A request to run service {@code service} with the opaque argument {@code qual}.
 *
 * <p>The constructor enforces what the wire allows, so a client cannot build a request the
 * server would refuse: {@code service} is 1–32 characters of {@code [A-Za-z0-9_-]} (kept in
 * lower case, as keys are case-insensitive); {@code qual} is non-empty, has no leading or
 * trailing blank, and no control character other than tab (so it can never span lines).
 *
 * <p>A class, not a record, for one reason: {@link RequestParser} has already checked every
 * byte of a line it parses, and a record's constructor would check the same things again for
 * every request the server reads. The parser alone uses the unchecked {@link #parsed} factory.
 */
public final class Request implements Command {

    private final String service;
    private final String qual;

    /**
     * @param service the service key, any case; kept in lower case
     * @param qual    the argument handed to the service, as sent
     * @throws IllegalArgumentException if either is not what the wire allows
     */
    public Request(String service, String qual) {
        if (!isValidKey(service)) {
            throw new IllegalArgumentException(
                    "service key must be 1-" + ProtocolLimits.MAX_KEY_LENGTH + " characters of [A-Za-z0-9_-]: '"
                            + service + "'");
        }
        checkQual(qual);
        this.service = service.toLowerCase(Locale.ROOT);
        this.qual = qual;
    }

    private Request(String lowerCaseKey, String qual, Void checkedByTheParser) {
        this.service = lowerCaseKey;
        this.qual = qual;
    }

    /** For {@link RequestParser} only: a key and qual it has already checked, the key in lower case. */
    static Request parsed(String lowerCaseKey, String qual) {
        return new Request(lowerCaseKey, qual, null);
    }

    /** The service key, lower case. */
    public String service() {
        return service;
    }

    /** The argument handed to the service, as sent. */
    public String qual() {
        return qual;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Request r && service.equals(r.service) && qual.equals(r.qual);
    }

    @Override
    public int hashCode() {
        return 31 * service.hashCode() + qual.hashCode();
    }

    @Override
    public String toString() {
        return "Request[service=" + service + ", qual=" + qual + "]";
    }

    /** Convenience for {@code new Request(service, qual)}. */
    public static Request of(String service, String qual) {
        return new Request(service, qual);
    }

    /** Whether {@code key} is a well-formed service key. */
    public static boolean isValidKey(String key) {
        if (key == null || key.isEmpty() || key.length() > ProtocolLimits.MAX_KEY_LENGTH) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (!RequestParser.isKeyByte(key.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static void checkQual(String qual) {
        if (qual == null || qual.isEmpty()) {
            throw new IllegalArgumentException("qual must not be empty");
        }
        if (RequestParser.isBlank(qual.charAt(0)) || RequestParser.isBlank(qual.charAt(qual.length() - 1))) {
            throw new IllegalArgumentException("qual must not start or end with a blank (the server trims them)");
        }
        for (int i = 0; i < qual.length(); i++) {
            char c = qual.charAt(i);
            if (RequestParser.isForbiddenControl(c)) {
                throw new IllegalArgumentException(
                        String.format("qual must not contain control character U+%04X", (int) c));
            }
            if (Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c) && i + 1 < qual.length()
                    && Character.isLowSurrogate(qual.charAt(++i)))) {
                throw new IllegalArgumentException("qual holds an unpaired surrogate: not encodable as UTF-8");
            }
        }
    }

    /** The request as one wire line, LF-terminated: {@code "a 88\n"}. */
    public String toLine() {
        return service + ' ' + qual + '\n';
    }
}
