package io.dispatchd.client.cli;

import io.dispatchd.protocol.Ack;

/** How the command line prints an ack: its byte, then its name: {@code + OK}, {@code ! BUSY}. */
final class AckNames {

    private AckNames() {
    }

    static String describe(Ack ack) {
        return (char) ack.wire() + " " + ack.name();
    }
}
