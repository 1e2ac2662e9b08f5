package io.dispatchd.client.cli;

import io.dispatchd.protocol.Ack;

/** The exit codes of the command line, in one place so help, code and README agree. */
final class ExitCodes {

    static final int OK = 0;
    /**
     * Could not connect (a failed TLS handshake included), the token was refused, the connection
     * was lost, a request timed out, or a bench run failed.
     */
    static final int FAILURE = 1;
    /** Bad arguments (a TLS or token file that cannot be used included): picocli's usage-error code. */
    static final int USAGE = 2;
    static final int ACK_FAILED = 3;
    static final int ACK_BAD_REQUEST = 4;
    static final int ACK_BUSY = 5;

    private ExitCodes() {
    }

    /** The code {@code send} exits with for one ack; for many it exits with the highest. */
    static int of(Ack ack) {
        return switch (ack) {
            case OK -> OK;
            case FAILED -> ACK_FAILED;
            case BAD_REQUEST -> ACK_BAD_REQUEST;
            case BUSY -> ACK_BUSY;
        };
    }
}
