package io.dispatchd.server.metrics;

import io.dispatchd.protocol.Ack;

/** Counts the acks written for one kind of line: one service's requests, or lines no service takes. */
public interface AckCounter {

    void answered(Ack ack);
}
